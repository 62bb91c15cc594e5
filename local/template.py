"""template.yaml as the local gateway needs it: routes, function code, environment and the table."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
CONSOLE_FUNCTION = "ConsoleFunction"  # the web console's static files: public, not part of the API


class _CfnLoader(yaml.CSafeLoader):  # libyaml (in PyYAML's wheels), not the pure-Python parser
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...) read as their long forms."""


def _intrinsic(loader: Any, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


_PARSED: dict[tuple[Path, int], dict[str, Any]] = {}


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as a dict of its own (a caller may change it): parsed once per file version."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _PARSED:
        with path.open() as fh:
            _PARSED[key] = yaml.load(fh, Loader=_CfnLoader)
    return copy.deepcopy(_PARSED[key])


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_dir: Path
    module: str
    handler: str

    @property
    def source(self) -> Path:
        return self.code_dir / f"{self.module}.py"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as declared, e.g. /users/{user_id}
    function: Function
    authorized: bool
    params: tuple[str, ...] = field(default=())
    pattern: re.Pattern[str] = field(default=re.compile(""))

    @property
    def specificity(self) -> tuple[int, ...]:
        """API Gateway prefers literal segments to parameters, and parameters to a greedy
        ``{proxy+}``, left to right."""
        return tuple(
            (2 if seg.endswith("+}") else 1) if seg.startswith("{") else 0 for seg in self.path.strip("/").split("/")
        )


@dataclass
class Template:
    raw: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.raw.get("Resources", {}))

    def parameter_defaults(self) -> dict[str, str]:
        return {k: str(v.get("Default", "")) for k, v in self.raw.get("Parameters", {}).items()}

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v.get("Type") == kind}

    def function(self, logical_id: str) -> Function:
        props = self.resources[logical_id]["Properties"]
        module, handler = props["Handler"].rsplit(".", 1)
        return Function(logical_id, ROOT / props["CodeUri"], module, handler)

    def authorizer(self) -> tuple[Function, str, int] | None:
        """The API's default authorizer: its function, the header it reads and its cache seconds."""
        for api in self.of_type("AWS::Serverless::Api").values():
            auth = api["Properties"].get("Auth", {})
            default = auth.get("DefaultAuthorizer")
            if default:
                spec = auth["Authorizers"][default]
                # !GetAtt Fn.Arn, or !Ref Fn.Alias (the published version AutoPublishAlias names)
                fn = spec["FunctionArn"].get("Fn::GetAtt") or spec["FunctionArn"]["Ref"]
                fn_id = fn.split(".")[0] if isinstance(fn, str) else fn[0]
                ttl = self.resolve(spec["Identity"].get("ReauthorizeEvery", 300))
                return self.function(fn_id), spec["Identity"]["Header"], int(ttl)
        return None

    def routes(self) -> list[Route]:
        routes = []
        for logical_id, res in self.of_type("AWS::Serverless::Function").items():
            for event in res["Properties"].get("Events", {}).values():
                if event.get("Type") != "Api":
                    continue
                props = event["Properties"]
                path = props["Path"]
                params = tuple(re.findall(r"{(\w+)\+?}", path))
                regex = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", path)
                regex = re.sub(r"{(\w+)\+}", r"(?P<\1>.+)", regex)  # a greedy parameter spans segments
                regex = "^" + regex + "/?$"  # as in API Gateway, a trailing slash reaches the same resource
                auth = props.get("Auth", {}).get("Authorizer") != "NONE"
                routes.append(
                    Route(props["Method"].upper(), path, self.function(logical_id), auth, params, re.compile(regex))
                )
        return sorted(routes, key=lambda r: r.specificity)

    def api_routes(self) -> list[Route]:
        """The API's routes: every route but the web console's static files (no token, no tenant
        data, not in the OpenAPI document)."""
        return [route for route in self.routes() if route.function.logical_id != CONSOLE_FUNCTION]

    def schedules(self) -> list[tuple[Function, float]]:
        """Functions run on a ``Schedule`` event, with its ``rate(...)`` in seconds."""
        units = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
        found = []
        for logical_id, res in self.of_type("AWS::Serverless::Function").items():
            for event in res["Properties"].get("Events", {}).values():
                rate = re.fullmatch(r"rate\((\d+) (\w+)\)", str(event.get("Properties", {}).get("Schedule", "")))
                if event.get("Type") == "Schedule" and rate:
                    found.append((self.function(logical_id), float(int(rate[1]) * units[rate[2]])))
        return found

    def resolve(self, value: Any, refs: dict[str, str] | None = None) -> Any:
        """A property value with ``Ref`` to parameters (their defaults) or ``refs`` resolved."""
        if isinstance(value, dict) and set(value) == {"Ref"}:
            name = value["Ref"]
            return (refs or {}).get(name, self.parameter_defaults().get(name))
        return value

    def environment(self, refs: dict[str, str]) -> dict[str, str]:
        """The functions' environment variables (Globals, then each function's own)."""
        env: dict[str, str] = {}
        blocks = [self.raw.get("Globals", {}).get("Function", {})]
        blocks += [r["Properties"] for r in self.of_type("AWS::Serverless::Function").values()]
        for block in blocks:
            for name, value in block.get("Environment", {}).get("Variables", {}).items():
                resolved = self.resolve(value, refs)
                if resolved is not None:
                    env[name] = str(resolved)
        return env

    def table_definition(self, logical_id: str = "Table") -> dict[str, Any]:
        """``create_table`` arguments for the table the template declares."""
        props = self.resources[logical_id]["Properties"]
        spec: dict[str, Any] = {
            k: props[k]
            for k in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
            if k in props
        }
        if "StreamSpecification" in props:
            spec["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        return spec

    def ttl_attribute(self, logical_id: str = "Table") -> str | None:
        ttl = self.resources[logical_id]["Properties"].get("TimeToLiveSpecification", {})
        return ttl.get("AttributeName") if ttl.get("Enabled") else None
