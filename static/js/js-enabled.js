// The GOV.UK template's inline snippet, as a file so the Content-Security-Policy allows no inline script.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
