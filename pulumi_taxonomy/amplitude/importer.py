"""A client of Amplitude Data for Taxonomy Import: GraphQL (workspaces, branches,
publish, pull requests, merge) and the CSV upload, over the shared HTTP machinery.

It works with both variants of the vendor: with staging versions and publish (the
reference flow), and the newer auto-save one, which has neither; the client learns
which from the schema's answer and publishes only when there is something to publish.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from pulumi_taxonomy.amplitude.models import AmplitudeConnection
from pulumi_taxonomy.core import credentials
from pulumi_taxonomy.core.errors import (
    ApiError,
    ConfigurationError,
    NotFound,
    VendorError,
    common_error,
)
from pulumi_taxonomy.core.http import Registry, VendorHttp, fingerprint, vendor_http
from pulumi_taxonomy.core.limits import CostPolicy

DATA_URLS = {"us": "https://data-api.amplitude.com", "eu": "https://data-api.eu.amplitude.com"}
BRANCH_FIELDS = "id name currentVersionId stagingVersionId"


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Branch(Payload):
    id: str
    name: str
    currentVersionId: str | None = None
    stagingVersionId: str | None = None


class PullRequest(Payload):
    id: str
    status: str
    originBranchId: str | None = None


class Workspace(Payload):
    id: str
    branches: list[Branch]
    pullRequests: list[PullRequest] = []

    def branch(self, name: str) -> Branch | None:
        return next((b for b in self.branches if b.name == name), None)


class Upload(Payload):
    branchId: str
    branchName: str
    eventCount: int = 0
    currentVersionId: str | None = None
    stagingVersionId: str | None = None


@dataclass(frozen=True)
class DataSettings:
    token: str
    base_url: str

    def __repr__(self) -> str:
        return f"DataSettings(base_url={self.base_url!r})"


def data_settings(connection: AmplitudeConnection | Mapping[str, Any] | None) -> DataSettings:
    token = credentials.resolve(connection, "data_token", "amplitudeDataToken", "AMPLITUDE_DATA_TOKEN")
    if not token:
        raise ConfigurationError(
            "Amplitude Data credentials are missing: Taxonomy Import needs a personal access token. Give the "
            "resource a `connection` with data_token, or set the stack config amplitudeDataToken (--secret), "
            "or the environment variable AMPLITUDE_DATA_TOKEN."
        )
    region_host = credentials.region_url(
        connection, "Amplitude", "amplitudeRegion", "AMPLITUDE_REGION", DATA_URLS
    )
    base = credentials.resolve(connection, "data_base_url", "amplitudeDataBaseUrl", "AMPLITUDE_DATA_BASE_URL")
    if base is None:
        # A sandbox serves every vendor on one host: follow amplitudeBaseUrl when it is set.
        base = (
            credentials.resolve(connection, "base_url", "amplitudeBaseUrl", "AMPLITUDE_BASE_URL")
            or region_host
        )
    return DataSettings(token, base.rstrip("/").removesuffix("/graphql"))


def error_for(call: str, response: httpx.Response) -> VendorError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    errors = body.get("errors") if isinstance(body, dict) else None
    message = (errors[0].get("message") if errors else None) or (
        body.get("error") if isinstance(body, dict) else None
    )
    message = str(message or response.text[:500] or response.reason_phrase)
    common = common_error(call, response.status_code, message)
    if common is not None:
        return common
    if response.status_code == 404:
        return NotFound(call, response.status_code, message)
    return ApiError(call, response.status_code, message)


class DataClient:
    def __init__(self, http: VendorHttp) -> None:
        self.http = http
        self.auto_save: bool | None = None  # learnt from the schema on first use

    def graphql(self, operation: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.request("POST", "/graphql", json={"query": query, "variables": variables or {}})
        body = response.json()
        if body.get("errors"):
            # GraphQL reports failures with HTTP 200 and an `errors` list.
            raise ApiError(
                f"Amplitude Data GraphQL {operation}",
                response.status_code,
                "; ".join(str(e.get("message")) for e in body["errors"]),
            )
        data: dict[str, Any] = body["data"]
        return data

    def workspace(self, name: str) -> Workspace:
        fields = BRANCH_FIELDS if self.auto_save is not True else "id name currentVersionId"
        query = (
            "query Workspace($name: String) { orgs { workspaces(name: $name) { id "
            f"branches {{ {fields} }} pullRequests {{ id status originBranchId }} }} }} }}"
        )
        try:
            data = self.graphql("workspaces", query, {"name": name})
        except ApiError as exc:
            if self.auto_save is None and "stagingVersionId" in exc.vendor_message:
                self.auto_save = True  # the auto-save variant: no staging versions, no publish
                return self.workspace(name)
            raise
        if self.auto_save is None:
            self.auto_save = False
        found = [w for org in data["orgs"] for w in org["workspaces"]]
        if not found:
            raise NotFound(
                "Amplitude Data GraphQL workspaces",
                200,
                f'no workspace named "{name}" is reachable with this token',
            )
        return Workspace.model_validate(found[0])

    def upload(self, workspace_id: str, main_branch_id: str, csv_text: str) -> Upload:
        files = {"csv": ("tracking-plan.csv", csv_text.encode(), "text/csv")}
        response = self.http.request("POST", f"/import/csv/{workspace_id}/{main_branch_id}", files=files)
        return Upload.model_validate(response.json())

    def publish(self, branch_id: str, version_id: str) -> Branch:
        data = self.graphql(
            "publishVersion",
            "mutation Publish($input: PublishVersionInput!) { "
            f"publishVersion(input: $input) {{ {BRANCH_FIELDS} }} }}",
            {"input": {"branchId": branch_id, "versionId": version_id, "description": "pulumi-taxonomy"}},
        )
        return Branch.model_validate(data["publishVersion"])

    def create_pull_request(
        self, workspace_id: str, origin: str, target: str, description: str
    ) -> PullRequest:
        data = self.graphql(
            "createPullRequest",
            "mutation PR($input: CreatePullRequestInput!) { createPullRequest(input: $input) { id status } }",
            {
                "input": {
                    "workspaceId": workspace_id,
                    "originBranchId": origin,
                    "targetBranchId": target,
                    "status": "published",
                    "description": description,
                }
            },
        )
        return PullRequest.model_validate(data["createPullRequest"])

    def merge(self, pr_id: str, origin_version: str, target_version: str) -> None:
        self.graphql(
            "mergePullRequest",
            "mutation Merge($input: MergePullRequestInput!) { mergePullRequest(input: $input) { id } }",
            {
                "input": {
                    "id": pr_id,
                    "originVersionId": origin_version,
                    "targetVersionId": target_version,
                    "description": "pulumi-taxonomy",
                }
            },
        )


_clients: Registry[DataClient] = Registry()


def data_client_for(connection: AmplitudeConnection | Mapping[str, Any] | None) -> DataClient:
    settings = data_settings(connection)
    credential_id = fingerprint(settings.token)
    return _clients.get(
        (settings.base_url, credential_id),
        lambda: DataClient(
            vendor_http(
                vendor="Amplitude Data",
                base_url=settings.base_url,
                credential_id=credential_id,
                policy=CostPolicy(2, 10**9, 3600),
                error_for=error_for,
                headers={"authorization": f"Bearer {settings.token}"},
            )
        ),
    )
