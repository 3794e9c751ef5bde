from django.conf import settings
from django.http import FileResponse
from django.utils import translation


class LanguageMiddleware:
    """Activate the language the user chose (cookie), else the site default (zh-Hant).

    Deliberately ignores Accept-Language: the product's default is Traditional Chinese
    whatever the browser says; the switcher in the header sets the cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


class ContentSecurityPolicyMiddleware:
    """A strict CSP: no inline scripts or styles anywhere in our templates."""

    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class SecurityHeadersMiddleware:
    """Two headers on top of Django's own (SecurityMiddleware, XFrameOptionsMiddleware):

    - `Permissions-Policy` on every response: the site uses no camera, microphone,
      location, payment, USB or screen capture, so no page (nor anything injected into
      one) may ask for them.
    - `Cache-Control: no-store, private` on every download (a FileResponse, or any
      response with a Content-Disposition: dossier PDFs and attachments, site-test
      evidence, certificates, workbooks and ZIPs, poll exports), so neither the browser
      nor a proxy keeps a copy of a confidential file after the session ends. It is set
      here rather than in each view so that a new download cannot forget it.
    """

    permissions_policy = (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        # Static files (WhiteNoise answers them with a FileResponse too) are public and
        # keep WhiteNoise's long cache headers.
        if is_download(response) and not request.path.startswith(settings.STATIC_URL):
            response.headers["Cache-Control"] = "no-store, private"
        return response


def is_download(response) -> bool:
    return isinstance(response, FileResponse) or "Content-Disposition" in response.headers
