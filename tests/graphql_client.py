"""Talking to /graphql the way a client application does."""

from typing import Any

from litestar.testing import AsyncTestClient


class GraphQLError(AssertionError):
    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        self.code = errors[0].get("extensions", {}).get("code")
        self.message = errors[0]["message"]
        super().__init__(errors)


class GraphQL:
    def __init__(self, client: AsyncTestClient):  # type: ignore[type-arg]
        self.client = client

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        organization: str | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if organization:
            headers["Tremplin-Organization"] = organization
        if language:
            headers["Accept-Language"] = language
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        if body.get("errors"):
            raise GraphQLError(body["errors"])
        return body["data"]

    async def sign_in(self, email: str, password: str) -> str:
        data = await self.execute(
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
            {"e": email, "p": password},
        )
        return data["signIn"]["token"]
