"""The checks' verdict on content that has not changed, kept between runs.

Start-up, `unionbot ask` and /reload run the same checks (faq/check.py) on every load: ~20 ms,
and about as much again to compile their modules where bytecode is not kept. The verdict depends
only on the content (its key, faq/content_cache.py, covers the files and all faq code), on the
source documents' bytes and on the settings passed in, so it is kept under a hash of the three,
and faq/check.py is imported only when the verdict is not known. The deep checks (`unionbot
check`) always run.
"""

from __future__ import annotations

from faq.cache import kept_or_built
from faq.contacts import Contact
from faq.content import FaqPaths
from faq.content_cache import digest_files
from faq.knowledge import Knowledge
from faq.layout import CheckConfig
from faq.yamlfile import Problem


def verdict_key(knowledge: Knowledge, paths: FaqPaths, settings: tuple[object, ...]
                ) -> str | None:
    """A hash of the content's key, the settings and the source documents; None when the
    content's key is unknown or a document cannot be read whole."""
    if knowledge.content_key is None:
        return None
    return digest_files(f"{knowledge.content_key}\0{settings!r}",
                        [doc.path for doc in paths.sources if doc.path is not None])


def checked(knowledge: Knowledge, paths: FaqPaths, config: CheckConfig,
            contacts: tuple[Contact, ...], verify_sources: bool, match: object) -> list[Problem]:
    """The problems `check_knowledge` finds without the deep checks, read from the cache when
    nothing they depend on has changed. `match` (the matching settings) shapes the normalised
    phrasings the duplicate check compares."""
    settings = (config, contacts, verify_sources, match)

    def check() -> list[Problem]:
        from faq.check import check_knowledge  # its code is compiled only when it runs

        return check_knowledge(knowledge, paths, config, deep=False, contacts=contacts,
                               verify_sources=verify_sources)

    problems, _ = kept_or_built(
        "checked", lambda: verdict_key(knowledge, paths, settings), check,
        lambda kept: isinstance(kept, list) and all(isinstance(p, Problem) for p in kept))
    return problems
