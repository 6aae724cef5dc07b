"""Questionnaire definitions as the service sees them, and saving an imported checklist."""

from __future__ import annotations

from dataclasses import dataclass

from app.audit.services import record_event
from app.extensions import db
from app.models import User
from app.questionnaires import registry
from app.questionnaires.validation import DefinitionError, LoadedDefinition, load_text


@dataclass(frozen=True)
class SaveProblem(Exception):
    message: str


def definitions() -> list[LoadedDefinition]:
    return sorted(registry.available().values(), key=lambda d: (d.definition.kind, d.definition.title))


def get_definition(definition_id: str) -> LoadedDefinition | None:
    return registry.available().get(definition_id)


def save_imported(actor: User, yaml_text: str, source: str) -> LoadedDefinition:
    """Check the definition again, then write it to surveys/ as a new file (never over another)."""
    try:
        loaded = load_text(yaml_text, "the imported checklist")
    except DefinitionError as error:
        raise SaveProblem(f"The checklist is no longer valid: {error.problems[0]}") from None
    definition_id = loaded.definition.id
    if definition_id in registry.available():
        raise SaveProblem(f"There is already a questionnaire with the id {definition_id}. Import it again with "
                          "another short id")
    path = registry.surveys_dir() / f"{definition_id}.yaml"
    if path.exists():
        raise SaveProblem(f"A file called {path.name} already exists in the surveys folder")
    try:
        path.write_text(yaml_text, encoding="utf-8")
    except OSError as error:
        raise SaveProblem(f"The service cannot write to its surveys folder ({error.strerror}). Ask your "
                          "administrator to import the checklist on the server with section17 surveys "
                          "import-checklist") from None
    record_event("questionnaire.imported", object_type="questionnaire", object_id=definition_id, actor=actor,
                 summary=f"Imported the checklist {loaded.definition.title} from {source}",
                 after={"id": definition_id, "title": loaded.definition.title, "kind": loaded.definition.kind,
                        "questions": len(loaded.definition.questions), "sha256": loaded.sha256})
    db.session.commit()
    return registry.available()[definition_id]
