"""A client of Amplitude Data for Taxonomy Import: the GraphQL calls (workspace and main
branch, publish, pull request, merge) and the CSV upload, over the shared HTTP machinery.

It asks only for the fields and arguments that the reference
(`amplitude-taxonomy-import-api.md`) shows, in the reference's own operations. The
vendor later dropped staging versions and `publishVersion` (auto-save); the client
learns which variant it talks to from the vendor's schema, read once per process by
introspection and rebuilt with graphql-core. The schema also gives the mutations'
variable types, and says whether an optional field (`Workspace.pullRequests`, not in
the reference) exists; the client uses such a field only when it does. If the vendor
refuses introspection, the client uses what works with both variants: the lookup asks
no `stagingVersionId`, and an import is published when its upload answer reports a
staging version. Calls go only to the Data API host, never to the REST host.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import httpx
from graphql import (
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    parse,
    validate,
)
from pydantic import BaseModel, ConfigDict, ValidationError

from pulumi_taxonomy.amplitude.importcsv import FileKind
from pulumi_taxonomy.amplitude.models import AmplitudeConnection
from pulumi_taxonomy.core import credentials
from pulumi_taxonomy.core.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    NotFound,
    TaxonomyError,
    VendorError,
    common_error,
)
from pulumi_taxonomy.core.http import Registry, VendorHttp, fingerprint, vendor_http
from pulumi_taxonomy.core.limits import CostPolicy
from pulumi_taxonomy.core.probe import Probe, Regions, failed, reach_hint, skipped

DATA_URLS = {"us": "https://data-api.amplitude.com", "eu": "https://data-api.eu.amplitude.com"}
VENDOR = "Amplitude Data"


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Branch(Payload):
    id: str
    name: str
    currentVersionId: str | None = None
    stagingVersionId: str | None = None


class PullRequest(Payload):
    id: str
    status: str | None = None


class OpenPullRequest(Payload):
    id: str
    status: str | None = None
    originBranchId: str | None = None


class Workspace(Payload):
    id: str
    branches: list[Branch]

    @property
    def main(self) -> Branch:
        """The default branch (`branches(default: true)`), `main` by the reference."""
        return self.branches[0]


class Upload(Payload):
    branchId: str
    branchName: str | None = None
    eventCount: int = 0
    currentVersionId: str | None = None
    stagingVersionId: str | None = None


# -- the documents the client sends: the reference's, with its operation names -----------


def graphql_string(value: str) -> str:
    """`value` as a GraphQL string literal (JSON's escapes are GraphQL's)."""
    return json.dumps(value, ensure_ascii=False)


def version_query(workspace: str, staging: bool) -> str:
    """Step 1 of the reference (`VersionQuery`). The name goes in as a literal, as in the
    reference, so the argument's type (`String` or `String!`) does not matter."""
    fields = "id name stagingVersionId currentVersionId" if staging else "id name currentVersionId"
    return (
        f"query VersionQuery {{ orgs {{ id workspaces(name: {graphql_string(workspace)}) {{ id "
        f"branches(default: true) {{ {fields} }} }} }} }}"
    )


def publish_mutation(input_type: str, staging: bool) -> str:
    fields = "id name currentVersionId stagingVersionId" if staging else "id name currentVersionId"
    return f"mutation PublishVersion($input: {input_type}) {{ publishVersion(input: $input) {{ {fields} }} }}"


def create_pull_request_mutation(input_type: str) -> str:
    return (
        f"mutation CreatePullRequest($input: {input_type}) {{ "
        "createPullRequest(input: $input) { id status } }"
    )


def merge_pull_request_mutation(input_type: str) -> str:
    return f"mutation MergePullRequest($input: {input_type}) {{ mergePullRequest(input: $input) {{ id }} }}"


ORG_QUERY = "query OrgQuery { orgs { id } }"
"""The reference's own example of a personal access token in use (read-only): does the
token reach an org? (`pulumi-taxonomy doctor`)"""


def pull_requests_query(workspace: str) -> str:
    """Not in the reference: sent only when the schema has `Workspace.pullRequests`."""
    return (
        f"query PullRequests {{ orgs {{ workspaces(name: {graphql_string(workspace)}) {{ id "
        "pullRequests { id status originBranchId } } } }"
    )


INTROSPECTION_QUERY = get_introspection_query(descriptions=False)
"""The GraphQL spec's introspection, in the form every server accepts."""

MUTATIONS = ("publishVersion", "createPullRequest", "mergePullRequest")
INPUT_FIELDS = {
    "publishVersion": ("branchId", "versionId", "description"),
    "createPullRequest": ("workspaceId", "originBranchId", "targetBranchId", "status", "description"),
    "mergePullRequest": ("id", "originVersionId", "targetVersionId", "description"),
}
"""The fields of each mutation's `input` that the client sends (the reference's)."""
REFERENCE_INPUT_TYPES = {
    "publishVersion": "PublishVersionInput!",
    "createPullRequest": "CreatePullRequestInput!",
    "mergePullRequest": "MergePullRequestInput!",
}


Variant = Literal["reference", "auto-save", "unknown"]


@dataclass(frozen=True)
class DataSchema:
    """What the vendor's schema says, as far as the client cares; `schema` is None when
    the vendor refused introspection."""

    schema: GraphQLSchema | None
    refusal: str = ""

    def _object(self, *path: str) -> GraphQLObjectType | None:
        """The object type reached from Query along `path` (e.g. orgs, workspaces)."""
        if self.schema is None or self.schema.query_type is None:
            return None
        current: GraphQLObjectType = self.schema.query_type
        for name in path:
            found = current.fields.get(name)
            named = get_named_type(found.type) if found else None
            if not isinstance(named, GraphQLObjectType):
                return None
            current = named
        return current

    @property
    def staging(self) -> bool:
        """The lookup may ask for `stagingVersionId` (False when unknown: not needed)."""
        branch = self._object("orgs", "workspaces", "branches")
        return branch is not None and "stagingVersionId" in branch.fields

    @property
    def variant(self) -> Variant:
        if self.schema is None:
            return "unknown"
        mutations = self.schema.mutation_type
        return "reference" if mutations is not None and "publishVersion" in mutations.fields else "auto-save"

    @property
    def pull_requests(self) -> bool:
        """The optional `Workspace.pullRequests { id status originBranchId }` exists."""
        workspace = self._object("orgs", "workspaces")
        listed = workspace.fields.get("pullRequests") if workspace else None
        item = get_named_type(listed.type) if listed else None
        return isinstance(item, GraphQLObjectType) and {"id", "status", "originBranchId"} <= set(item.fields)

    def input_type(self, mutation: str) -> str:
        """How the client declares `$input` for `mutation`: as the schema types the
        argument, else as the reference does."""
        mutations = self.schema.mutation_type if self.schema else None
        found = mutations.fields.get(mutation) if mutations else None
        argument = found.args.get("input") if found else None
        return str(argument.type) if argument else REFERENCE_INPUT_TYPES[mutation]

    def documents(self) -> dict[str, str]:
        """Every document the client may send to this schema, by operation."""
        docs = {
            "VersionQuery": version_query("Workspace", self.staging),
            "CreatePullRequest": create_pull_request_mutation(self.input_type("createPullRequest")),
            "MergePullRequest": merge_pull_request_mutation(self.input_type("mergePullRequest")),
        }
        if self.variant != "auto-save":
            docs["PublishVersion"] = publish_mutation(self.input_type("publishVersion"), self.staging)
        if self.pull_requests:
            docs["PullRequests"] = pull_requests_query("Workspace")
        return docs

    def problems(self) -> list[str]:
        """What the client uses that the schema lacks (empty: all there)."""
        if self.schema is None:
            return []
        found: list[str] = []
        for operation, document in self.documents().items():
            found += [f"{operation}: {error.message}" for error in validate(self.schema, parse(document))]
        mutations = self.schema.mutation_type
        for mutation, sent in INPUT_FIELDS.items():
            if mutation == "publishVersion" and self.variant == "auto-save":
                continue
            argument = (
                mutations.fields[mutation].args.get("input")
                if mutations and mutation in mutations.fields
                else None
            )
            input_type = get_named_type(argument.type) if argument else None
            if not isinstance(input_type, GraphQLInputObjectType):
                continue  # validating the document reported it
            found += [
                f"{input_type.name}.{name} does not exist" for name in sent if name not in input_type.fields
            ]
            required = [
                name
                for name, spec in input_type.fields.items()
                if isinstance(spec.type, GraphQLNonNull) and spec.default_value is Undefined
            ]
            found += [
                f"{input_type.name}.{name} is required and the client does not send it"
                for name in required
                if name not in sent
            ]
        if self.staging and self.variant == "auto-save":
            found.append(
                "Branch.stagingVersionId exists, but Mutation.publishVersion does not: nothing can publish"
            )
        return found


@dataclass(frozen=True)
class SchemaCheck:
    """The answer of `DataClient.check_schema` (read-only; `pulumi-taxonomy doctor` shows it)."""

    introspection: bool
    """False: the vendor refused introspection, so nothing could be checked."""
    variant: Variant
    missing: list[str] = field(default_factory=list)
    """Fields, arguments and input fields the client uses that the schema lacks."""
    optional: dict[str, bool] = field(default_factory=dict)
    """Optional fields the client would use when present, and whether they are."""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.introspection and not self.missing


DATA_TOKEN: credentials.Setting = ("data_token", "amplitudeDataToken", "AMPLITUDE_DATA_TOKEN")
CREDENTIAL_SETTINGS = (DATA_TOKEN,)


@dataclass(frozen=True)
class DataSettings:
    token: str
    base_url: str

    def __repr__(self) -> str:
        return f"DataSettings(base_url={self.base_url!r})"


def data_settings(connection: AmplitudeConnection | Mapping[str, Any] | None) -> DataSettings:
    """The personal access token and the Data API host: `data_base_url` > stack config
    `amplitudeDataBaseUrl` > `AMPLITUDE_DATA_BASE_URL` > the region's Data host. The REST
    base URL is never used: the token must reach only Amplitude Data."""
    token = credentials.secret(connection, *DATA_TOKEN)
    if not token:
        raise ConfigurationError(
            "Amplitude Data credentials are missing: Taxonomy Import needs a personal access token. Give the "
            "resource a `connection` with data_token, or set the stack config amplitudeDataToken (--secret), "
            "or the environment variable AMPLITUDE_DATA_TOKEN."
        )
    base = credentials.resolve(connection, "data_base_url", "amplitudeDataBaseUrl", "AMPLITUDE_DATA_BASE_URL")
    if base is None:
        base = credentials.region_url(
            connection, "Amplitude", "amplitudeRegion", "AMPLITUDE_REGION", DATA_URLS
        )
    if not base.startswith(("https://", "http://")):
        raise ConfigurationError(
            f"The Amplitude Data base URL must start with https:// (or http:// for a sandbox), not {base!r}."
        )
    return DataSettings(token, base.rstrip("/").removesuffix("/graphql").removesuffix("/import/csv"))


def error_for(call: str, response: httpx.Response) -> VendorError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    message = (first.get("message") if isinstance(first, dict) else first) or (
        body.get("error") if isinstance(body, dict) else None
    )
    message = str(message or response.text[:500] or response.reason_phrase)
    common = common_error(call, response.status_code, message)
    if common is not None:
        return common
    if response.status_code == 404:
        return NotFound(call, response.status_code, message)
    return ApiError(call, response.status_code, message)


FILE_NAMES: dict[FileKind, str] = {"events": "events.csv", "user_properties": "user-properties.csv"}


class DataClient:
    """One per Data host and token per process (`data_client_for`)."""

    def __init__(self, http: VendorHttp) -> None:
        self.http = http
        self._schema: DataSchema | None = None
        self._schema_lock = threading.Lock()

    def graphql(
        self,
        operation: str,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        resend_safe: bool = False,
    ) -> dict[str, Any]:
        """`resend_safe` for a query (never a mutation): it changes nothing, so a lost
        answer is asked for again."""
        call = f"{VENDOR} GraphQL {operation}"
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        response = self.http.request("POST", "/graphql", json=body, resend_safe=resend_safe)
        try:
            answer = response.json()
        except ValueError:
            raise ApiError(
                call, response.status_code, f"the answer is not JSON: {response.text[:200]!r}"
            ) from None
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if errors:
            # GraphQL reports refusals with HTTP 200 and an `errors` list.
            messages = [str(e.get("message") if isinstance(e, dict) else e) for e in errors]
            raise ApiError(call, response.status_code, "; ".join(messages))
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            raise ApiError(call, response.status_code, "the answer has no data")
        return data

    # -- the schema ----------------------------------------------------------------------

    def schema(self) -> DataSchema:
        """The vendor's schema, read once (introspection); its refusal is remembered too."""
        with self._schema_lock:
            if self._schema is None:
                self._schema = self._introspect()
            return self._schema

    def _introspect(self) -> DataSchema:
        try:
            data = self.graphql("IntrospectionQuery", INTROSPECTION_QUERY, resend_safe=True)
            return DataSchema(build_client_schema(data))  # type: ignore[arg-type]
        except AuthError:
            raise
        except ApiError as exc:  # some servers turn introspection off
            return DataSchema(None, exc.vendor_message)
        except (TypeError, KeyError, ValueError) as exc:  # an answer graphql-core cannot build from
            return DataSchema(None, f"the introspection answer is not a schema ({exc})")

    def check_schema(self) -> SchemaCheck:
        """Read-only: does the vendor's schema have every field and argument the client
        uses? Sends one introspection query, whose answer later calls then use."""
        found = self._introspect()
        with self._schema_lock:
            if self._schema is None:
                self._schema = found
        if found.schema is None:
            return SchemaCheck(
                introspection=False,
                variant="unknown",
                detail=f"the schema refused introspection ({found.refusal}); the client then uses only "
                "what both variants have",
            )
        return SchemaCheck(
            introspection=True,
            variant=found.variant,
            missing=found.problems(),
            optional={"Workspace.pullRequests": found.pull_requests},
        )

    # -- the import flow -------------------------------------------------------------------

    def workspace(self, name: str) -> Workspace:
        """The workspace (Data project) named `name` and its default branch."""
        data = self.graphql("VersionQuery", version_query(name, self.schema().staging), resend_safe=True)
        try:
            found = [Workspace.model_validate(w) for org in data["orgs"] for w in org["workspaces"]]
        except (KeyError, TypeError, ValidationError) as exc:
            raise ApiError(f"{VENDOR} GraphQL VersionQuery", 200, f"unexpected answer: {exc}") from None
        if not found:
            raise NotFound(
                f"{VENDOR} GraphQL VersionQuery",
                200,
                f'no workspace named "{name}" is reachable with this token',
            )
        if len(found) > 1:
            raise ApiError(f"{VENDOR} GraphQL VersionQuery", 200, f'several workspaces are named "{name}"')
        if not found[0].branches:
            raise ApiError(f"{VENDOR} GraphQL VersionQuery", 200, f'workspace "{name}" has no default branch')
        return found[0]

    def upload(self, workspace_id: str, main_branch_id: str, kind: FileKind, csv_text: str) -> Upload:
        if not workspace_id or not main_branch_id:
            raise ApiError(
                f"{VENDOR} POST /import/csv", 200, "the lookup gave an empty workspace or branch id"
            )
        path = f"/import/csv/{quote(workspace_id, safe='')}/{quote(main_branch_id, safe='')}"
        files = {"csv": (FILE_NAMES[kind], csv_text.encode(), "text/csv")}
        response = self.http.request("POST", path, files=files)
        try:
            return Upload.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise ApiError(
                f"{VENDOR} POST /import/csv", response.status_code, f"unexpected answer: {exc}"
            ) from None

    def publish(self, branch_id: str, version_id: str) -> Branch:
        schema = self.schema()
        data = self.graphql(
            "PublishVersion",
            publish_mutation(schema.input_type("publishVersion"), schema.staging or schema.schema is None),
            {"input": {"branchId": branch_id, "versionId": version_id, "description": "pulumi-taxonomy"}},
        )
        return Branch.model_validate(data["publishVersion"])

    def create_pull_request(
        self, workspace_id: str, origin: str, target: str, description: str
    ) -> PullRequest:
        data = self.graphql(
            "CreatePullRequest",
            create_pull_request_mutation(self.schema().input_type("createPullRequest")),
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
            "MergePullRequest",
            merge_pull_request_mutation(self.schema().input_type("mergePullRequest")),
            {
                "input": {
                    "id": pr_id,
                    "originVersionId": origin_version,
                    "targetVersionId": target_version,
                    "description": "pulumi-taxonomy",
                }
            },
        )

    def open_pull_request(self, workspace: str, origin_branch: str) -> str | None:
        """The id of an open pull request from `origin_branch`, when the schema can tell
        (the optional `Workspace.pullRequests`); None otherwise."""
        if not self.schema().pull_requests:
            return None
        data = self.graphql("PullRequests", pull_requests_query(workspace), resend_safe=True)
        for org in data.get("orgs", []):
            for ws in org.get("workspaces", []):
                for item in ws.get("pullRequests") or []:
                    pr = OpenPullRequest.model_validate(item)
                    if pr.originBranchId == origin_branch:
                        return pr.id
        return None

    # -- read-only probes (`pulumi-taxonomy doctor`) ----------------------------------------

    def probe_token(self) -> Probe:
        """Does the token reach an org on this host?"""
        host = self.http.client.base_url.host
        try:
            data = self.graphql("OrgQuery", ORG_QUERY, resend_safe=True)
        except AuthError as exc:
            return Probe(
                VENDOR_ID,
                TOKEN_CHECK,
                "fail",
                f"{host} refused the personal access token ({exc.status}: {exc.vendor_message})",
                "check AMPLITUDE_DATA_TOKEN (a personal access token from Amplitude Data's settings, not "
                "the project's API key) and the region (EU projects: region eu).",
                refused=True,
            )
        except (TaxonomyError, ConnectionError) as exc:
            return failed(
                VENDOR_ID, TOKEN_CHECK, exc, reach_hint("AMPLITUDE_DATA_BASE_URL", "AMPLITUDE_REGION")
            )
        orgs = data.get("orgs")
        if not isinstance(orgs, list) or not orgs:
            return Probe(
                VENDOR_ID,
                TOKEN_CHECK,
                "fail",
                f"{host} accepts the token, but it reaches no org (orgs: {orgs!r})",
                "use a personal access token of a user who belongs to the Amplitude organization.",
            )
        return Probe(VENDOR_ID, TOKEN_CHECK, "pass", f"{host} accepts the token ({len(orgs)} org(s))")

    def probe_schema(self) -> Probe:
        """Does the vendor's schema have every field and argument the client uses?"""
        try:
            found = self.check_schema()
        except (TaxonomyError, ConnectionError) as exc:
            return failed(VENDOR_ID, SCHEMA_CHECK, exc)
        if not found.introspection:
            return Probe(
                VENDOR_ID,
                SCHEMA_CHECK,
                "warn",
                f"not checked: {found.detail}",
                "nothing to do unless an import fails; the first import shows any missing field.",
            )
        optional = ", ".join(
            f"{name} {'present' if there else 'absent'}" for name, there in found.optional.items()
        )
        if found.missing:
            return Probe(
                VENDOR_ID,
                SCHEMA_CHECK,
                "fail",
                f"the {found.variant} schema lacks what the client uses: "
                + "; ".join(_plainly(problem) for problem in found.missing),
                "Amplitude's schema differs from the one this version of pulumi-taxonomy knows: an import "
                "would fail at that step. Upgrade pulumi-taxonomy (or report it); until then use "
                "targets.amplitude.mode: objects, which needs no Data API.",
            )
        return Probe(
            VENDOR_ID,
            SCHEMA_CHECK,
            "pass",
            f"the {found.variant} variant, with every field and argument the client uses ({optional})",
        )

    def probe_workspace(self, name: str) -> Probe:
        """Is the workspace a plan names reachable with this token (one, with a main branch)?"""
        check = f'workspace "{name}"'
        try:
            found = self.workspace(name)
        except NotFound as exc:
            return Probe(
                VENDOR_ID,
                check,
                "fail",
                exc.vendor_message,
                "check targets.amplitude.workspace in the plan: the Amplitude project's name exactly as "
                "Amplitude spells it (case and spaces); the token's user must belong to that project.",
            )
        except (TaxonomyError, ConnectionError) as exc:
            return failed(VENDOR_ID, check, exc)
        return Probe(VENDOR_ID, check, "pass", f"found (id {found.id}), with its main branch")


def _plainly(problem: str) -> str:
    """A validation message without graphql-core's guess ("Did you mean 'x'?"), which
    names a field the client does not use."""
    return problem.split(" Did you mean ", 1)[0].rstrip(".")


VENDOR_ID = "amplitude-data"
"""How `doctor` names this vendor (its `--vendor` choice)."""
TOKEN_CHECK = "token and region"
SCHEMA_CHECK = "GraphQL schema"


def probe(
    connection: AmplitudeConnection | Mapping[str, Any] | None = None, workspace: str | None = None
) -> list[Probe]:
    """Read-only checks of an Amplitude Data setup: the token (refused on one region's
    host and accepted by the other's: say which region to set), the schema (one
    introspection), and the workspace a plan names. Missing or contradictory settings
    raise `ConfigurationError`."""
    settings = data_settings(connection)
    client = data_client_for(connection)
    regions = Regions(DATA_URLS, "AMPLITUDE_REGION", "amplitudeRegion", "a project")

    def accepts(host: str) -> bool:
        other = data_client_for({"data_token": settings.token, "data_base_url": host})
        return other.probe_token().outcome == "pass"

    token = regions.explain_refusal(client.probe_token(), settings.base_url, "this token", accepts)
    results = [token]
    later = [SCHEMA_CHECK] + ([f'workspace "{workspace}"'] if workspace is not None else [])
    if token.outcome != "pass":
        return results + [skipped(VENDOR_ID, check, "needs an accepted token") for check in later]
    results.append(client.probe_schema())
    if workspace is not None:
        results.append(client.probe_workspace(workspace))
    return results


_clients: Registry[DataClient] = Registry()


def data_client_for(connection: AmplitudeConnection | Mapping[str, Any] | None) -> DataClient:
    settings = data_settings(connection)
    credential_id = fingerprint(settings.token)
    return _clients.get(
        (settings.base_url, credential_id),
        lambda: DataClient(
            vendor_http(
                vendor=VENDOR,
                base_url=settings.base_url,
                credential_id=credential_id,
                policy=CostPolicy(2, 10**9, 3600),
                error_for=error_for,
                headers={"authorization": f"Bearer {settings.token}"},
            )
        ),
    )
