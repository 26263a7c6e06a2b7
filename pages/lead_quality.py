"""Lead quality: per tech, patterns in their leads that are worth a look, with the leads behind."""

from leadbridge import ui, ui_quality

filters = ui.current_filters()
ui.page_header("Lead quality", filters, "worth a look, never an accusation")
ui_quality.page(filters)
