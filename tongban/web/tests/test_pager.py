"""The one pager under the workbench's paged lists (queue, findings, transfers)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation


def pager(number, query):
    page = Paginator(range(60), 25).get_page(number)
    with translation.override("en"):
        return render_to_string("web/_pager.html", {"page": page, "query": query})


def test_the_pager_keeps_the_list_s_parameters_and_links_both_ways():
    html = pager(2, "status=open")
    assert 'href="?status=open&amp;page=1" rel="prev"' in html
    assert 'href="?status=open&amp;page=3" rel="next"' in html
    assert "Page 2 of 3" in html


def test_without_parameters_and_on_the_first_page():
    html = pager(1, "")
    assert 'href="?page=2" rel="next"' in html and 'rel="prev"' not in html


def test_one_page_has_no_pager():
    page = Paginator(range(3), 25).get_page(1)
    assert "pager" not in render_to_string("web/_pager.html", {"page": page, "query": ""})
