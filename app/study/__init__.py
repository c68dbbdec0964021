"""Study engine: mastery per section, FSRS flashcards, the cram planner, dated claims.

Pure functions over an event list and a `now` timestamp (a simulated clock is a datetime):
- `app.study.mastery.section_mastery(events, now) -> dict[int, float]`
- `app.study.mastery.section_status(events, now) -> list[SectionStatus]`
- `app.study.cards.due(kb, events, now)`, `review(card, rating, now) -> Event`
- `app.study.plan.cram_plan(kb, events, minutes, now) -> Plan`
- `app.study.versions.dated_claims(answer_text, facts_for(knowledge_dir)) -> list[DatedClaim]`
- `app.study.journal.import_once(path, store, owner)`: the old CLI journal, moved into the store
"""
