"""HTTP face of the emulated Amplitude Data API: `/graphql` (graphql-core, a real
schema) and `POST /import/csv/{workspaceId}/{mainBranchId}` (multipart field `csv`)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from graphql import GraphQLSchema, build_schema, graphql_sync
from starlette.datastructures import Headers, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pulumi_taxonomy.sandbox.amplitude.data import ORG_ID, AmplitudeData, DataError
from pulumi_taxonomy.sandbox.config import SandboxConfig
from pulumi_taxonomy.sandbox.forms import parse_json
from pulumi_taxonomy.sandbox.gate import VendorPolicy

SDL = """
type Query { orgs: [Org!]! }
type Org { id: ID! workspaces(name: String): [Workspace!]! }
type Workspace {
  id: ID!
  name: String!
  branches(default: Boolean, name: String): [Branch!]!
  pullRequests: [PullRequest!]!
}
type Branch { id: ID! name: String! currentVersionId: ID %(staging_field)s }
type PullRequest { id: ID! status: String! originBranchId: ID targetBranchId: ID }
type MergeResult { id: ID! }
input CreatePullRequestInput {
  workspaceId: ID! originBranchId: ID! targetBranchId: ID! status: String description: String
}
input MergePullRequestInput { id: ID! originVersionId: ID! targetVersionId: ID! description: String }
%(publish_input)s
type Mutation {
  %(publish_field)s
  createPullRequest(input: CreatePullRequestInput!): PullRequest!
  mergePullRequest(input: MergePullRequestInput!): MergeResult!
}
"""


def schema(auto_save: bool) -> GraphQLSchema:
    """The vendor's schema; the auto-save variant has no staging versions and no publish."""
    return build_schema(
        SDL
        % {
            "staging_field": "" if auto_save else "stagingVersionId: ID",
            "publish_input": ""
            if auto_save
            else "input PublishVersionInput { branchId: ID! versionId: ID! description: String }",
            "publish_field": "" if auto_save else "publishVersion(input: PublishVersionInput!): Branch!",
        }
    )


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


def policy(config: SandboxConfig) -> VendorPolicy:
    expected = f"Bearer {config.data_token}".encode()
    label = "amplitude-data:" + hashlib.sha256(config.data_token.encode()).hexdigest()[:8]

    def authenticate(headers: Headers) -> str | None:
        return label if hmac.compare_digest(headers.get("authorization", "").encode(), expected) else None

    return VendorPolicy(
        name="amplitude-data",
        prefixes=("/graphql", "/import/csv"),
        authenticate=authenticate,
        error_response=error_response,
    )


class _Root:
    """Resolvers: graphql-core's default resolver calls these with (info, **args)."""

    def __init__(self, data: AmplitudeData) -> None:
        self.data = data

    def orgs(self, info: Any) -> list[dict[str, Any]]:
        d = self.data

        def workspaces(info: Any, name: str | None = None) -> list[dict[str, Any]]:
            return [
                {
                    **w,
                    "branches": lambda info, default=None, name=None: d.branches(default, name),
                    "pullRequests": lambda info: d.pull_requests(),
                }
                for w in d.workspaces(name)
            ]

        return [{"id": ORG_ID, "workspaces": workspaces}]

    def publishVersion(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        return self.data.publish(input["branchId"], input["versionId"])

    def createPullRequest(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        return self.data.create_pull_request(
            input["workspaceId"], input["originBranchId"], input["targetBranchId"]
        )

    def mergePullRequest(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        return self.data.merge_pull_request(input["id"], input["originVersionId"], input["targetVersionId"])


def routes(data: AmplitudeData) -> list[Route]:
    compiled = schema(data.auto_save)
    root = _Root(data)

    async def graphql(request: Request) -> Response:
        try:
            body = parse_json(await request.body())
        except (ValueError, UnicodeDecodeError):
            return error_response(400, "The body must be JSON: {query, variables, operationName}")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return error_response(400, "The body must be JSON: {query, variables, operationName}")
        result = graphql_sync(
            compiled,
            body["query"],
            root_value=root,
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        payload: dict[str, Any] = {"data": result.data}
        status = 200  # GraphQL errors travel with 200, as the notes say [I]
        if result.errors:
            payload["errors"] = [{"message": e.message, "path": e.path} for e in result.errors]
            originals = [e.original_error for e in result.errors if isinstance(e.original_error, DataError)]
            status = max((o.status for o in originals), default=200)
        return JSONResponse(payload, status_code=status)

    async def upload(request: Request) -> Response:
        try:
            form = await request.form()
        except Exception:
            return JSONResponse(
                {"error": "The body must be multipart/form-data with a field csv"}, status_code=400
            )
        field = form.get("csv")
        if not isinstance(field, UploadFile):
            return JSONResponse({"error": "Missing multipart file field csv"}, status_code=400)
        try:
            text = (await field.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            return JSONResponse({"error": "The CSV must be UTF-8"}, status_code=400)
        try:
            body = data.upload(request.path_params["workspace"], request.path_params["branch"], text)
        except DataError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        return JSONResponse(body)

    return [
        Route("/graphql", graphql, methods=["POST"]),
        Route("/import/csv/{workspace}/{branch}", upload, methods=["POST"]),
    ]
