ADMIN_SCRIPT_SOURCES = ["'self'", "'unsafe-inline'"]


class AdminScriptPolicyMiddleware:
    """Relax ``script-src`` for the Wagtail admin only, which still has inline scripts on some screens.

    The public site and the API keep the strict policy (no inline scripts); the admin is reachable only by
    signed-in editors. Listed after ``CSPMiddleware`` so that it marks the response before the policy is built.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(("/admin/", "/django-admin/")):
            response._csp_update = {"script-src": ADMIN_SCRIPT_SOURCES}
        return response
