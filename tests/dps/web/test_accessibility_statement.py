"""The accessibility statement: public, linked from every page's footer, and it has the GOV.UK
model statement's sections."""

from __future__ import annotations

SECTIONS = [
    "How accessible this service is",
    "Feedback and contact information",
    "Enforcement procedure",
    "Compliance status",
    "Web Content Accessibility Guidelines version 2.2",
    "Non-accessible content",
    "Preparation of this accessibility statement",
    "axe-core",
    "320 pixels",
    "keyboard only",
    "JavaScript switched off",
    "Equality Advisory and Support Service",
]


def test_the_statement_is_public_and_complete(app):
    client = app.test_client()
    response = client.get("/accessibility")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for section in SECTIONS:
        assert section in body, section
    assert f'href="mailto:{app.config["MAIL_FROM"]}"' in body


def test_every_page_links_to_it_from_the_footer(app):
    client = app.test_client()
    for path in ("/", "/sign-in", "/cookies", "/no-such-page"):
        body = client.get(path).get_data(as_text=True)
        assert 'class="govuk-footer__link" href="/accessibility">Accessibility statement' in body
