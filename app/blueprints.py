"""Every user-facing area of the service, one blueprint each."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.ids import register_id_converter

    register_id_converter(app)  # before the routes: every <int:...> then stays within the database's range
    from app.actions import bp as actions_bp
    from app.admin import bp as admin_bp
    from app.audit import bp as audit_bp
    from app.auth import bp as auth_bp
    from app.benchmarking import bp as benchmarking_bp
    from app.benchmarking.crime import bp as crime_bp
    from app.benchmarking.peer import bp as peer_bp
    from app.cycles import bp as cycles_bp
    from app.departments import bp as departments_bp
    from app.evidence import bp as evidence_bp
    from app.export_jobs import bp as export_jobs_bp
    from app.main import bp as main_bp
    from app.outbox import bp as outbox_bp
    from app.printing import bp as printing_bp
    from app.questionnaire_library import bp as questionnaire_library_bp
    from app.respond import bp as respond_bp
    from app.results import bp as results_bp
    from app.review import bp as review_bp
    from app.search import bp as search_bp

    for blueprint in (main_bp, auth_bp, admin_bp, departments_bp, audit_bp, cycles_bp, respond_bp, review_bp,
                      questionnaire_library_bp, results_bp, actions_bp, benchmarking_bp, peer_bp,
                      crime_bp, export_jobs_bp, outbox_bp, evidence_bp, search_bp, printing_bp):
        app.register_blueprint(blueprint)
