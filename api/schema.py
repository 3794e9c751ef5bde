"""How the OpenAPI schema (drf-spectacular) describes our token authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A personal API token, made on the “API tokens” page of your account: "
                "`Authorization: Token <key>` (or `Bearer <key>`)."
            ),
        }
