from io import BytesIO

from django.template import engines

from apps.core.pdf import render_pdf


def test_pdf_layout_renders_a_real_pdf_with_the_text(tmp_path, settings):
    from weasyprint import HTML

    pdf = render_pdf("layouts/pdf.html", {})
    assert pdf.startswith(b"%PDF-")
    source = (
        engines["django"]
        .from_string(
            "{% extends 'layouts/pdf.html' %}{% block content %}<h1>Count sheet</h1>{% endblock %}"
        )
        .render({})
    )
    document = HTML(string=source).render()
    assert len(document.pages) == 1
    assert BytesIO(document.write_pdf()).getvalue().startswith(b"%PDF-")
