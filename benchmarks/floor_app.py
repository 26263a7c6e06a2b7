"""Streamlit alone, served and measured like the dashboard (benchmarks/browser.py), so that the
figures say how much of a page's time is Streamlit's own (its JavaScript loaded and started in the
browser, the websocket, a script run) and how much one Plotly chart adds (Plotly's 4.7 MB of
JavaScript loaded and started, one small chart drawn) and one table (Streamlit's data grid and
Arrow code loaded and started, 200 rows shown): two pages of a title and a line, a page of a title
and one bar chart of five bars, and a page of a title and a table of 200 rows and ten columns."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st


def _one():
    st.title("One")
    st.write("A page with a title and a line.")


def _two():
    st.title("Two")
    st.write("Another page with a title and a line.")


def _chart():
    st.title("Chart")
    figure = go.Figure(go.Bar(x=["A", "B", "C", "D", "E"], y=[5, 3, 4, 1, 2]))
    figure.update_layout(title="Five bars", height=400)
    st.plotly_chart(figure, theme=None)


def _table():
    st.title("Table")
    st.dataframe(pd.DataFrame({f"column {c}": range(c, c + 200) for c in range(10)}),
                 hide_index=True)


st.navigation([st.Page(_one, title="One", url_path="one", default=True),
               st.Page(_two, title="Two", url_path="two"),
               st.Page(_chart, title="Chart", url_path="chart"),
               st.Page(_table, title="Table", url_path="table")]).run()
