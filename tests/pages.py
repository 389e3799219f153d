"""Sending a form as a browser does: read the page first, then post what it carried (the hidden
basis of a form that changes a record, iom_housing/basis.py) with the answers."""

import re

_BASIS = re.compile(r'<input[^>]*\bname="basis"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]*)"')


def form_basis(response) -> str:
    """The basis a page's forms carry (the record's version when the page was shown)."""
    values = {_VALUE.search(tag).group(1) for tag in _BASIS.findall(response.content.decode())}
    assert len(values) == 1, f"expected one basis on the page, found {sorted(values)}"
    return values.pop()


def post_as_shown(client, url: str, data: dict | None = None):
    """GET the form's page, then POST `data` with the basis the page carried."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, {**(data or {}), "basis": form_basis(page)})
