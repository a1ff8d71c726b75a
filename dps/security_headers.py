"""Security headers on every response (pages, errors, static files), set in one after_request.

A few lines here rather than flask-talisman: we need only fixed headers (no nonces, since the
pages have no inline script at all), and Talisman would also force HTTPS redirects and cookie
flags that the settings already own.
"""

from __future__ import annotations

from flask import Flask

# Styles allow 'unsafe-inline' because some templates and the inline SVG charts still use
# style="" attributes; scripts never do ('self' only: the GOV.UK js-enabled snippet is a file).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the headers to every response; HSTS only in production (HTTPS is guaranteed there)."""
    production = app.config.get("ENV_NAME") == "production"

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers[name] = value
        if production:
            response.headers["Strict-Transport-Security"] = HSTS
        return response
