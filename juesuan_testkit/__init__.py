"""Test tooling (corpus generator, layout zoo, mutation study, fuzz): kept apart from the runtime package."""
