"""HTML to PDF with WeasyPrint, as the report, the subject access export and the licence
agreement print: the page size and margins are the template's (`@page`)."""


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango, which only the PDF downloads need.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
