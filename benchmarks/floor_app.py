"""Streamlit alone: two pages of a title and a line, served and measured like the dashboard
(benchmarks/browser.py), so that the figures say how much of a page's time is Streamlit's own
(its JavaScript loaded and started in the browser, the websocket, a script run)."""

import streamlit as st


def _one():
    st.title("One")
    st.write("A page with a title and a line.")


def _two():
    st.title("Two")
    st.write("Another page with a title and a line.")


st.navigation([st.Page(_one, title="One", url_path="one", default=True),
               st.Page(_two, title="Two", url_path="two")]).run()
