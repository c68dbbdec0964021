"""GET /eval: the last `mentor eval` report as a table and one SVG bar chart per metric."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from app.eval.chart import charts
from app.eval.report import BY_KEY, fmt, load_last
from app.web.deps import KnowledgeDep, OwnerDep, RepoDep
from app.web.views import APP_NAME, shell_context, templates

router = APIRouter(include_in_schema=False)  # an HTML page, like the other pages


@router.get("/eval", response_class=HTMLResponse)
def eval_page(request: Request, repo: RepoDep, who: OwnerDep, kb: KnowledgeDep) -> HTMLResponse:
    """Reads the saved report only: the page never runs a model (a run takes minutes)."""
    report = load_last(request.app.state.settings.data_dir)
    rows = []
    if report:
        for key in report.metric_keys():
            metric = BY_KEY[key]
            rows.append(
                {
                    "label": metric.label,
                    "better": metric.better,
                    "cells": [fmt(metric, r.metrics.get(key)) for r in report.rows],
                }
            )
    context = {
        **shell_context(repo, who, kb, nav="eval"),
        "report": report,
        "rows": rows,
        "charts": [
            {"label": c.label, "svg": Markup(c.svg), "text": c.text}
            for c in (charts(report) if report else [])
        ],
        "page_title": f"Model scorecard · {APP_NAME}",
    }
    return templates.TemplateResponse(request, "eval.html", context)
