"""`/detection-levels` and `/defense-tools`: any user reads them, `settings.manage` writes."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.core.auth import check_include_deleted, require_auth, require_perm
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.versioning import versioned
from violet.extensions import db
from violet.missions.schemas import (
    DefenseToolCreate,
    DefenseToolOut,
    DefenseToolQuery,
    DefenseToolUpdate,
    DetectionLevelCreate,
    DetectionLevelOut,
    DetectionLevelQuery,
    DetectionLevelUpdate,
    IncludeDeletedQuery,
)
from violet.missions.service import catalogue

levels_blp = Blueprint(
    "detection-levels",
    __name__,
    description="How well a test was seen (Prevented, Alerted, …) and the score of each.",
)
tools_blp = Blueprint(
    "defense-tools",
    __name__,
    description="The security controls whose per-test outcomes blue records (EDR, SIEM, …).",
)


@levels_blp.route("")
class DetectionLevels(MethodView):
    @require_auth
    @list_response(levels_blp, DetectionLevelQuery, DetectionLevelOut)
    def get(self, query):
        """List detection levels in their display order (`position`)."""
        check_include_deleted(query["include_deleted"], "settings.manage")
        return catalogue.list_levels(query)

    @require_perm("settings.manage")
    @levels_blp.arguments(DetectionLevelCreate)
    @levels_blp.response(201, DetectionLevelOut)
    def post(self, payload):
        """Add a level; without `position` it goes last. A null `score` is not scored."""
        level = catalogue.create_level(payload)
        db.session.commit()
        return level


@levels_blp.route("/<uuid:level_id>")
class DetectionLevelById(MethodView):
    @require_auth
    @levels_blp.response(200, DetectionLevelOut)
    def get(self, level_id: UUID):
        """One detection level."""
        return catalogue.get_level(level_id)

    @require_perm("settings.manage")
    @levels_blp.arguments(DetectionLevelUpdate)
    @levels_blp.response(200, DetectionLevelOut)
    def patch(self, payload, level_id: UUID):
        """Rename, rescore, recolour or move a level (allowed while tests use it). A new score
        re-derives the level of each test with a per-tool outcome at it (the best-scoring)."""
        level = catalogue.update_level(catalogue.get_level(level_id), payload)
        db.session.commit()
        return level

    @require_perm("settings.manage")
    @levels_blp.response(204)
    @levels_blp.alt_response(409, description="The level is used by mission tests.")
    def delete(self, level_id: UUID):
        """Delete a level (soft); refused with 409 while any mission test uses it."""
        catalogue.delete_level(catalogue.get_level(level_id))
        db.session.commit()


@levels_blp.route("/<uuid:level_id>/restore")
class DetectionLevelRestore(MethodView):
    @require_perm("settings.manage")
    @levels_blp.response(200, DetectionLevelOut)
    def post(self, level_id: UUID):
        """Bring a deleted level back."""
        level = catalogue.restore_level(catalogue.get_level(level_id, include_deleted=True))
        db.session.commit()
        return level


@tools_blp.route("")
class DefenseTools(MethodView):
    @require_auth
    @list_response(tools_blp, DefenseToolQuery, DefenseToolOut)
    def get(self, query):
        """List defense tools; filter by text (`q`: name, vendor) and `layer`."""
        check_include_deleted(query["include_deleted"], "settings.manage")
        return catalogue.list_tools(query)

    @require_perm("settings.manage")
    @tools_blp.arguments(DefenseToolCreate)
    @tools_blp.response(201, DefenseToolOut)
    @versioned
    def post(self, payload):
        """Add a defense tool (name unique among live tools)."""
        tool = catalogue.create_tool(payload)
        db.session.commit()
        return tool


@tools_blp.route("/<uuid:tool_id>")
class DefenseToolById(MethodView):
    @require_auth
    @tools_blp.arguments(IncludeDeletedQuery, location="query")
    @tools_blp.response(200, DefenseToolOut)
    @versioned
    def get(self, query, tool_id: UUID):
        """One defense tool, with `ETag: "<version>"`."""
        check_include_deleted(query["include_deleted"], "settings.manage")
        return catalogue.get_tool(tool_id, include_deleted=query["include_deleted"])

    @require_perm("settings.manage")
    @tools_blp.arguments(DefenseToolUpdate)
    @tools_blp.response(200, DefenseToolOut)
    @versioned
    def patch(self, payload, tool_id: UUID):
        """Change a tool's name, vendor or layer (If-Match: a stale version → 412)."""
        tool = catalogue.update_tool(catalogue.get_tool(tool_id, for_update=True), payload)
        db.session.commit()
        return tool

    @require_perm("settings.manage")
    @tools_blp.response(204)
    @versioned
    def delete(self, tool_id: UUID):
        """Delete a tool (soft): recorded outcomes keep it, new ones cannot name it."""
        catalogue.delete_tool(catalogue.get_tool(tool_id, for_update=True))
        db.session.commit()


@tools_blp.route("/<uuid:tool_id>/restore")
class DefenseToolRestore(MethodView):
    @require_perm("settings.manage")
    @tools_blp.response(200, DefenseToolOut)
    @versioned
    def post(self, tool_id: UUID):
        """Bring a deleted tool back."""
        tool = catalogue.restore_tool(
            catalogue.get_tool(tool_id, include_deleted=True, for_update=True)
        )
        db.session.commit()
        return tool
