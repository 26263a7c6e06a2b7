"""LeadBridge: what technician-generated sales leads bring, from the exports a company already has."""

__version__ = "0.1.0"
