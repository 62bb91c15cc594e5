"""`annex-admin`: applications, API tokens and bulk import, against a deployed stack or the local one.

annex-admin --endpoint-url http://127.0.0.1:8000 apps create "my app"   # make run's engine
annex-admin --stack annex apps list                                      # a deployed stack
annex-admin --stack annex import data.jsonl --app app_3f2a…              # users, channels, sessions
annex-admin --endpoint-url http://127.0.0.1:8000 analytics rebuild --app local   # the columnar copy
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import boto3
import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from admin import analytics, applications, importer, usage_plans
from annex.errors import AnnexError
from annex.store import table as table_module
from annex.store.columnar import DuckDB
from local.template import Template, load

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)
apps = typer.Typer(help="Create, list and delete applications.", no_args_is_help=True)
tokens_cli = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
app.add_typer(apps, name="apps")
app.add_typer(tokens_cli, name="tokens")
analytics_cli = typer.Typer(help="The columnar copy of the sessions (analytics at any size).", no_args_is_help=True)
app.add_typer(analytics_cli, name="analytics")
err = Console(stderr=True)
LOCAL_TABLE = "annex-local"


def _print(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2))


def _table_from_stack(stack: str, region: str | None) -> str:
    stacks = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)["Stacks"]
    for output in stacks[0].get("Outputs", []):
        if output["OutputKey"] == "TableName":
            return str(output["OutputValue"])
    raise typer.BadParameter(f"stack {stack} has no TableName output", param_hint="--stack")


@app.callback()
def target(
    ctx: typer.Context,
    endpoint_url: Annotated[str | None, typer.Option(help="A DynamoDB-compatible endpoint (make run: :8000)")] = None,
    table: Annotated[str | None, typer.Option(help="The table name (default: annex-local with --endpoint-url)")] = None,
    stack: Annotated[str | None, typer.Option(help="Read the table name from this stack's outputs")] = None,
    region: Annotated[str | None, typer.Option(envvar="AWS_REGION")] = None,
) -> None:
    """Point the store at the chosen table while the command runs."""
    if stack:
        table = table or _table_from_stack(stack, region)
    if endpoint_url:
        # A local engine checks no signature, but the SDK wants some credentials to sign with.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        table = table or LOCAL_TABLE
    if not table:
        raise typer.BadParameter("say which table: --stack NAME, --table NAME or --endpoint-url URL")
    ctx.with_resource(table_module.target(table, endpoint_url, region or "us-east-1"))
    ctx.obj = {"stack": stack, "region": region}


def _fail(message: str) -> typer.Exit:
    err.print(message, style="red", markup=False, highlight=False)
    return typer.Exit(1)


def _dynamodb_error(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            missing = table_module.current().name
            return f"DynamoDB has no table {missing}: check --table, --stack or --endpoint-url"
        return f"DynamoDB refused: {code}: {error.response.get('Error', {}).get('Message', '')}"
    return f"DynamoDB: {error}"


def _run(action: Any) -> Any:
    try:
        return action()
    except AnnexError as error:
        raise _fail(error.message) from None
    except (ClientError, BotoCoreError) as error:
        raise _fail(_dynamodb_error(error)) from None


def _usage_plans(ctx: typer.Context) -> usage_plans.Stack | None:
    """The --stack's usage plans (None without --stack, or for a stack deployed before them)."""
    name = (ctx.obj or {}).get("stack")
    stack = usage_plans.Stack.of(name, ctx.obj.get("region")) if name else None
    if name and stack is None:
        err.print(f"{name} has no usage plans (deployed before them): only the table is changed", style="yellow")
    return stack


@apps.command("create")
def apps_create(ctx: typer.Context, name: str) -> None:
    """Create an application; prints its id and its first token (shown only this once). With
    --stack its API key joins the default usage plan (its rate limit)."""
    application, token = _run(lambda: applications.create_application(name))
    stack = _usage_plans(ctx)
    if stack is not None:
        _run(lambda: usage_plans.enroll(stack, application["app_id"]))
    _print({"app_id": application["app_id"], "name": name, "token": token})


@apps.command("limits")
def apps_limits(
    ctx: typer.Context,
    app_id: str,
    rps: Annotated[int, typer.Option("--rps", min=1, help="Requests per second")],
    burst: Annotated[int, typer.Option("--burst", min=1, help="Requests at once above the rate")],
    analytics_rps: Annotated[int | None, typer.Option(min=1, help="GET /sessions/analytics per second")] = None,
    analytics_burst: Annotated[int | None, typer.Option(min=1)] = None,
) -> None:
    """Give one application its own rate limit and burst (the rest keep the template's defaults).
    Kept in the table (make run's gateway reads it within seconds); with --stack, also its own
    usage plan in API Gateway."""
    defaults = Template(load()).parameter_defaults()
    current = _run(lambda: applications.limits_of(app_id))
    limits = {
        "rate_limit": rps,
        "burst_limit": burst,
        "analytics_rate_limit": analytics_rps
        or current.get("analytics_rate_limit", int(defaults["AnalyticsRateLimit"])),
        "analytics_burst_limit": analytics_burst
        or current.get("analytics_burst_limit", int(defaults["AnalyticsBurstLimit"])),
    }
    kept = _run(lambda: applications.set_limits(app_id, limits))
    stack = _usage_plans(ctx)
    if stack is not None:
        kept |= {"usage_plan": _run(lambda: usage_plans.apply_limits(stack, app_id, limits))}
    _print({"app_id": app_id} | kept)


@apps.command("list")
def apps_list() -> None:
    _print(_run(applications.list_applications))


@apps.command("delete")
def apps_delete(
    app_id: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
    settle: Annotated[
        float,
        typer.Option(
            envvar="ANNEX_REVOCATION_SECONDS",
            help="Seconds from revoking the tokens to deleting the data: the authorizer cache and a request's run",
        ),
    ] = applications.REVOCATION_SECONDS,
) -> None:
    """Delete an application with all of its data and tokens (the tokens first, the data once no
    cached token can write any more)."""
    if not yes:
        typer.confirm(f"Delete {app_id} and all of its data?", abort=True)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"Deleting {app_id}", total=None)
        deleted = _run(lambda: applications.delete_application(app_id, lambda n: progress.advance(task, n), settle))
    _print({"app_id": app_id, "deleted_items": deleted})


@tokens_cli.command("create")
def tokens_create(app_id: str) -> None:
    """Create a token; it is printed only this once (Annex keeps only its hash)."""
    token, token_id = _run(lambda: applications.create_token(app_id))
    _print({"app_id": app_id, "token_id": token_id, "token": token})


@tokens_cli.command("list")
def tokens_list(app_id: str) -> None:
    """The application's tokens by id and prefix."""
    _print(_run(lambda: applications.list_tokens(app_id)))


@tokens_cli.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke a token (API Gateway may keep accepting it for AuthorizerCacheSeconds)."""
    _run(lambda: applications.revoke_token(token_id))
    _print({"revoked": token_id})


@app.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(help="JSON Lines: one user, channel or session a line", exists=True, dir_okay=False)
    ],
    app_id: Annotated[str, typer.Option("--app", help="The application to import into")],
) -> None:
    """Import users, channels (metadata, metacounter, meta) and sessions from a JSON Lines file.

    Rerunning the same file skips what is already there (an interrupted import resumes); each
    rejected line is reported with its number. Exits 1 when any line was rejected.
    """
    _run(lambda: applications.require_application(app_id))
    with (
        file.open("rb") as source,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=err,
        ) as progress,
    ):
        task = progress.add_task(f"Importing {file.name}", total=file.stat().st_size, counts="")

        def reject(number: int, reason: str) -> None:
            progress.console.print(f"line {number}: {reason}", markup=False, highlight=False, soft_wrap=True)

        job = importer.Importer(app_id, reject)
        number, stopped = 0, None
        try:
            for number, raw in enumerate(source, 1):
                job.add(number, raw)
                progress.update(task, advance=len(raw), counts=job.tally.brief())
            job.finish()
            progress.update(task, counts=job.tally.brief())
        except KeyboardInterrupt:
            stopped = 130, f"Interrupted at line {number}: rerun the same command to resume (what is there is skipped)."
        except (importer.Stopped, AnnexError, ClientError, BotoCoreError) as error:
            message = error.message if isinstance(error, AnnexError) else str(error)
            if isinstance(error, ClientError | BotoCoreError):
                message = _dynamodb_error(error)
            stopped = 1, f"Stopped at line {number}: {message}. Rerun the same command to resume."
    _print({"app_id": app_id, "file": str(file), "complete": stopped is None} | job.tally.summary())
    if stopped is not None:
        code, message = stopped
        err.print(message, style="red", markup=False, highlight=False)
        raise typer.Exit(code)
    if job.tally.rejected:
        raise typer.Exit(1)


@app.command("migrate")
def migrate_table(
    state: Annotated[
        Path, typer.Option(help="Where the scan's position is kept between runs (removed when done)")
    ] = Path("annex-migrate.state"),
) -> None:
    """Move users' and channels' metadata and metacounters into items of their own (tables written
    before that layout). Resumable: an interrupted run goes on from the saved position."""
    from admin import migrate

    with Progress(TextColumn("{task.description}"), TextColumn("{task.fields[counts]}"), console=err) as progress:
        task = progress.add_task("Migrating", counts="")
        try:
            tally = _run(lambda: migrate.migrate(state, lambda t: progress.update(task, counts=t.brief())))
        except KeyboardInterrupt:
            err.print("Interrupted: rerun the same command to go on from where it stopped.", style="red")
            raise typer.Exit(130) from None
    _print({"scanned": tally.scanned, "migrated": tally.migrated, "already_current": tally.skipped})


@analytics_cli.command("rebuild")
def analytics_rebuild(
    app_id: Annotated[str, typer.Option("--app", help="The application whose copy to rebuild")],
    directory: Annotated[
        Path | None, typer.Option("--dir", help="make run's copy (default: .annex-data/analytics)")
    ] = None,
    firehose: Annotated[str | None, typer.Option(help="A deployed stack's delivery stream instead")] = None,
) -> None:
    """Rebuild the columnar copy of an application's sessions from the table, with progress."""
    _run(lambda: applications.require_application(app_id))
    with Progress(TextColumn("{task.description}"), TextColumn("{task.completed:,} sessions"), console=err) as progress:
        task = progress.add_task(f"Rebuilding {app_id}", total=None)

        def advance(n: int) -> None:
            progress.advance(task, n)

        if firehose:
            count = _run(lambda: analytics.rebuild_firehose(app_id, firehose, advance))
        else:
            root = directory or Path(os.environ.get("ANALYTICS_DIR") or Path(".annex-data") / "analytics")
            count = _run(lambda: analytics.rebuild_local(app_id, DuckDB(root), advance))
    _print({"app_id": app_id, "sessions": count, "target": firehose or str(root)})


def main() -> None:
    app()
