"""template.yaml: the deployment's promises (runtime, routes, least privilege, table settings, auth)."""

from __future__ import annotations

from typing import Any

from local.template import CONSOLE_FUNCTION, ROOT, Template, load

TEMPLATE = Template(load())
FUNCTIONS = TEMPLATE.of_type("AWS::Serverless::Function")
TABLE = TEMPLATE.resources["Table"]["Properties"]
ALLOWED_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",  # item-level batches: sessions by id, events and index entries
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",  # a transaction's check of an item it does not write (a channel exists)
}

# Analytics at any size: Athena in its one workgroup, the Glue table, the copy's bucket by prefix.
ATHENA_ACTIONS = {
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
}
GLUE_ACTIONS = {"glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"}
STREAM_ACTIONS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}


def _statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in function["Properties"].get("Policies", []) for s in policy.get("Statement", [])]


def test_functions_run_python_312_from_their_own_folder() -> None:
    assert TEMPLATE.raw["Globals"]["Function"]["Runtime"] == "python3.12"
    for logical_id in FUNCTIONS:
        fn = TEMPLATE.function(logical_id)
        assert fn.source.is_file(), fn.source
        assert f"def {fn.handler}" in fn.source.read_text() or f"{fn.handler} =" in fn.source.read_text()
        assert fn.code_dir.parent == ROOT / "functions"


def test_routes_are_declared_one_by_one() -> None:
    routes = TEMPLATE.api_routes()
    assert routes
    for route in routes:
        assert "+" not in route.path and route.method != "ANY", route.path
    assert len({(r.method, r.path) for r in TEMPLATE.routes()}) == len(TEMPLATE.routes())


def test_the_console_serves_static_files_only_on_get_under_console() -> None:
    console = [(r.method, r.path) for r in TEMPLATE.routes() if r.function.logical_id == CONSOLE_FUNCTION]
    assert sorted(console) == [("GET", "/console"), ("GET", "/console/{proxy+}")]
    assert "Policies" not in FUNCTIONS[CONSOLE_FUNCTION]["Properties"], "the console reads no table"


def test_policies_are_least_privilege_on_the_one_table() -> None:
    for logical_id, function in FUNCTIONS.items():
        statements = _statements(function)
        if logical_id == CONSOLE_FUNCTION:
            assert statements == [], "the console's files are in its code: it needs no AWS permission"
            continue
        assert statements, f"{logical_id} has no policy"
        for statement in statements:
            actions = set(statement["Action"])
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if actions <= STREAM_ACTIONS:
                assert resources == [{"Fn::GetAtt": "Table.StreamArn"}], (logical_id, resources)
            elif actions == {"events:PutEvents"}:
                assert resources == [{"Fn::GetAtt": "EventBus.Arn"}], (logical_id, resources)
            elif actions == {"firehose:PutRecordBatch"}:
                assert resources == [{"Fn::GetAtt": "SessionsDeliveryStream.Arn"}], (logical_id, resources)
            elif actions <= ATHENA_ACTIONS:
                assert [str(r) for r in resources] == [str(_sub("workgroup/${AnalyticsWorkGroup}"))], resources
            elif actions <= GLUE_ACTIONS:
                assert all("AnalyticsDatabase" in str(r) or str(r).endswith(":catalog'}") for r in resources)
            elif all(a.startswith("s3:") for a in actions):
                assert all("AnalyticsBucket" in str(r) for r in resources), (logical_id, resources)
                if "s3:PutObject" in actions:
                    assert resources == [{"Fn::Sub": "${AnalyticsBucket.Arn}/athena-results/*"}], resources
            elif actions == {"sqs:SendMessage"}:
                assert resources == [{"Fn::GetAtt": "ChangesDeadLetterQueue.Arn"}], (logical_id, resources)
            else:
                assert actions <= ALLOWED_ACTIONS, (logical_id, actions)
                for resource in resources:
                    assert "Table" in str(resource) and resource != "*", (logical_id, resource)
    authorizer = _statements(FUNCTIONS["AuthorizerFunction"])
    assert [s["Action"] for s in authorizer] == [["dynamodb:GetItem"]]


def _sub(tail: str) -> dict[str, str]:
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:athena:${{AWS::Region}}:${{AWS::AccountId}}:{tail}"}


def test_the_columnar_copy_is_declared_with_a_scan_limit_and_fed_by_the_stream() -> None:
    workgroup = TEMPLATE.resources["AnalyticsWorkGroup"]["Properties"]["WorkGroupConfiguration"]
    assert workgroup["EnforceWorkGroupConfiguration"] is True
    assert workgroup["BytesScannedCutoffPerQuery"] == {"Ref": "AnalyticsScanLimitBytes"}
    delivery = TEMPLATE.resources["SessionsDeliveryStream"]["Properties"]["ExtendedS3DestinationConfiguration"]
    assert delivery["DataFormatConversionConfiguration"]["OutputFormatConfiguration"]["Serializer"] == {
        "ParquetSerDe": {"Compression": "SNAPPY"}
    }
    assert delivery["Prefix"].startswith("sessions/app_id=!{partitionKeyFromQuery:app_id}/day=")
    table = TEMPLATE.resources["AnalyticsTable"]["Properties"]["TableInput"]
    from annex.core.columnar import COLUMNS, PARTITIONS

    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [(c, t) for c, _, t in COLUMNS]
    assert [(c["Name"], c["Type"]) for c in table["PartitionKeys"]] == [(c, t) for c, _, t in PARTITIONS]
    assert table["Parameters"]["projection.enabled"] == "true", "partition projection: no crawler, no MSCK"
    events = FUNCTIONS["ColumnarFunction"]["Properties"]["Events"]["TableStream"]
    assert events["Type"] == "DynamoDB" and events["Properties"]["Stream"] == {"Fn::GetAtt": "Table.StreamArn"}
    environment = FUNCTIONS["AnalyticsFunction"]["Properties"]["Environment"]["Variables"]
    assert environment["ANALYTICS_MAX_SESSIONS"] == {"Ref": "AnalyticsMaxSessions"}
    assert environment["ATHENA_WORKGROUP"] == {"Ref": "AnalyticsWorkGroup"}


def test_table_is_on_demand_with_recovery_stream_and_ttl() -> None:
    assert TABLE["BillingMode"] == "PAY_PER_REQUEST"
    assert TABLE["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert TABLE["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert TABLE["TimeToLiveSpecification"]["Enabled"] is True
    assert TABLE["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}
    assert [k["AttributeName"] for k in TABLE["KeySchema"]] == ["PK", "SK"]
    assert TEMPLATE.resources["Table"]["DeletionPolicy"] == "Retain"


def test_every_api_route_goes_through_the_cached_token_authorizer() -> None:
    authorizer = TEMPLATE.authorizer()
    assert authorizer is not None
    function, header, _ = authorizer
    assert function.logical_id == "AuthorizerFunction" and header == "Api-Token"
    assert int(TEMPLATE.parameter_defaults()["AuthorizerCacheSeconds"]) > 0
    assert all(route.authorized for route in TEMPLATE.api_routes())
    public = {r.path for r in TEMPLATE.routes() if not r.authorized}
    assert public == {"/console", "/console/{proxy+}"}, "only the console's static files are public"


def test_gateway_errors_use_the_spec_body() -> None:
    responses = TEMPLATE.resources["Api"]["Properties"]["GatewayResponses"]
    for name in ("UNAUTHORIZED", "MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "DEFAULT_5XX"):
        assert '"error": true' in responses[name]["ResponseTemplates"]["application/json"], name


def test_alarms_watch_5xx_and_throttles_of_every_function_and_the_table() -> None:
    alarms = TEMPLATE.of_type("AWS::CloudWatch::Alarm").values()
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms}
    assert {
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
    } <= watched
    throttled = {
        a["Properties"]["Dimensions"][0]["Value"]["Ref"] for a in alarms if a["Properties"]["MetricName"] == "Throttles"
    }
    assert throttled == set(FUNCTIONS)


def test_tracing_and_stage_throttling_are_on() -> None:
    assert TEMPLATE.raw["Globals"]["Function"]["Tracing"] == "Active"
    api = TEMPLATE.resources["Api"]["Properties"]
    assert api["TracingEnabled"] is True
    settings = api["MethodSettings"][0]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}


def test_the_local_gateway_matches_routes_as_api_gateway_does() -> None:
    from local.gateway import Gateway

    gateway = Gateway(TEMPLATE)
    cases = {
        ("GET", "/console"): ("/console", {}),
        ("GET", "/console/"): ("/console", {}),  # a trailing slash reaches the same resource
        ("GET", "/console/app.js"): ("/console/{proxy+}", {"proxy": "app.js"}),
        ("GET", "/console/a/b.js"): ("/console/{proxy+}", {"proxy": "a/b.js"}),  # greedy: spans segments
        ("GET", "/open_channels/c%2F1"): (
            "/{channel_type}/{channel_url}",
            {"channel_type": "open_channels", "channel_url": "c/1"},
        ),
        ("GET", "/users/alice/"): ("/users/{user_id}", {"user_id": "alice"}),
        ("GET", "/users"): ("/users", {}),
    }
    for (method, path), (resource, params) in cases.items():
        matched = gateway.match(method, path)
        assert matched is not None, path
        assert (matched[0].path, matched[1]) == (resource, params), path


def test_an_index_lock_outlives_every_function_that_can_hold_one() -> None:
    """store/lock.py's timeout rule: a lock expires only after the longest timeout of a function
    that can take one (any function allowed BatchWriteItem, which the lock protocol's steps need),
    so an expired lock's holder has certainly stopped."""
    from annex.store import lock

    default = int(TEMPLATE.raw["Globals"]["Function"].get("Timeout", 3))
    holders = {
        logical_id: int(function["Properties"].get("Timeout", default))
        for logical_id, function in FUNCTIONS.items()
        if any("dynamodb:BatchWriteItem" in s["Action"] for s in _statements(function))
    }
    assert {"SessionsFunction", "EventsFunction", "MessagesFunction"} <= holders.keys()
    assert "SweeperFunction" not in holders, "the sweeper (300 s) never takes a lock"
    for logical_id, timeout_s in holders.items():
        assert timeout_s * 1000 < lock.EXPIRY_MS, (logical_id, timeout_s)


def test_undeliverable_change_events_land_in_a_queue_with_an_alarm() -> None:
    stream = FUNCTIONS["ChangesFunction"]["Properties"]["Events"]["TableStream"]["Properties"]
    assert stream["BisectBatchOnFunctionError"] is True and stream["MaximumRetryAttempts"] >= 1
    assert 60 <= stream["MaximumRecordAgeInSeconds"] <= 604800
    assert "ReportBatchItemFailures" in stream["FunctionResponseTypes"]
    on_failure = stream["DestinationConfig"]["OnFailure"]
    assert on_failure == {"Type": "SQS", "Destination": {"Fn::GetAtt": "ChangesDeadLetterQueue.Arn"}}
    assert TEMPLATE.resources["ChangesDeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    alarm = TEMPLATE.resources["ChangesDeadLetterAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": "ChangesDeadLetterQueue.QueueName"}}]


def test_each_application_has_a_rate_limit_keyed_by_the_authorizer_and_analytics_a_lower_one() -> None:
    api = TEMPLATE.resources["Api"]["Properties"]
    assert api["ApiKeySourceType"] == "AUTHORIZER" and api["Auth"]["ApiKeyRequired"] is True
    plan = TEMPLATE.resources["DefaultUsagePlan"]["Properties"]
    assert plan["Throttle"] == {"RateLimit": {"Ref": "AppRateLimit"}, "BurstLimit": {"Ref": "AppBurstLimit"}}
    (stage,) = plan["ApiStages"]
    analytics = stage["Throttle"]["/sessions/analytics/GET"]
    assert analytics == {"RateLimit": {"Ref": "AnalyticsRateLimit"}, "BurstLimit": {"Ref": "AnalyticsBurstLimit"}}
    defaults = TEMPLATE.parameter_defaults()
    assert float(defaults["AnalyticsRateLimit"]) < float(defaults["AppRateLimit"])
    throttled = api["GatewayResponses"]["THROTTLED"]
    assert '"code": "rate_limited"' in throttled["ResponseTemplates"]["application/json"]
    assert "Retry-After" in throttled["ResponseParameters"]["Headers"]
    public = [r for r in TEMPLATE.routes() if not r.authorized]
    for function in FUNCTIONS.values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "Api" and event["Properties"].get("Auth", {}).get("Authorizer") == "NONE":
                assert event["Properties"]["Auth"]["ApiKeyRequired"] is False, "a public route needs no key"
    assert public


def test_data_functions_may_never_touch_a_token_or_the_application_directory() -> None:
    for logical_id, function in FUNCTIONS.items():
        statements = _statements(function)
        reaches_table = any(
            "Table.Arn" in str(s["Resource"]) and s["Effect"] == "Allow" and not set(s["Action"]) <= STREAM_ACTIONS
            for s in statements
        )
        if logical_id == "AuthorizerFunction" or not reaches_table:
            continue
        denied = [s for s in statements if s["Effect"] == "Deny"]
        assert denied, f"{logical_id} may reach API tokens"
        (deny,) = denied
        allowed = {a for s in statements if s["Effect"] == "Allow" for a in s["Action"] if a.startswith("dynamodb:")}
        allowed -= STREAM_ACTIONS  # stream reads name no table key (the columnar function reads both)
        assert allowed <= set(deny["Action"]), logical_id
        leading = deny["Condition"]["ForAnyValue:StringLike"]["dynamodb:LeadingKeys"]
        assert "TOKEN#*" in leading, logical_id
        assert ("APPS" in leading) == (logical_id != "SweeperFunction"), logical_id  # the sweep walks the directory


def test_the_authorizer_reads_only_token_entries_and_has_reserved_concurrency() -> None:
    authorizer = FUNCTIONS["AuthorizerFunction"]["Properties"]
    (statement,) = _statements(FUNCTIONS["AuthorizerFunction"])
    assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["TOKEN#*"]}}
    assert authorizer["ReservedConcurrentExecutions"] == {"Ref": "AuthorizerReservedConcurrency"}


def test_every_gateway_answer_is_not_to_be_cached() -> None:
    for name, response in TEMPLATE.resources["Api"]["Properties"]["GatewayResponses"].items():
        assert response["ResponseParameters"]["Headers"]["Cache-Control"] == "'no-store'", name
