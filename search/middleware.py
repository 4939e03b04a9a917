from django.http import JsonResponse


class ApiJsonErrorsMiddleware:
    """Answer every API error in JSON, including the 404 and 405 that routing produces before Ninja runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            reason = response.reason_phrase or "error"
            replacement = JsonResponse({"detail": reason, "parameter": None}, status=response.status_code)
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
