"""A site build's report -> what the terminal says: what was built, what was rewritten, what was left off."""

from __future__ import annotations

from ...terminal import Output, counted, human_size, shown
from .build import SiteReport

NAMED = 8  # files named in the summary before "and N more"


def _listed(paths: list[str]) -> str:
    named = ", ".join(paths[:NAMED])
    return named + (f" and {len(paths) - NAMED} more" if len(paths) > NAMED else "")


def say_report(out: Output, report: SiteReport, because: str = "") -> None:
    out.problems(report.warnings)
    built = report.built
    if built:
        size = sum(len(data) for result in built for data in result.files.values())
        out.say(f"built {counted(len(built), 'issue')}{because}: {_listed([r.issue_id for r in built])} "
                f"({counted(sum(len(r.files) for r in built), 'file')}, {human_size(size)}: pages and search "
                f"index){'; ' + str(report.unchanged) + ' unchanged' if report.unchanged else ''}")
    elif report.unchanged:
        out.say(f"every issue is unchanged ({report.unchanged}){because}")
    else:
        out.say(f"no issue is published yet: issues/ has none, or only drafts{because}")
    if report.written:
        out.say(f"rewrote {counted(len(report.written), 'file')} of the site that changed: {_listed(report.written)}")
    if report.removed:
        out.say(f"removed {counted(len(report.removed), 'file')} that no longer belong: {_listed(report.removed)}")
    if report.drafts:
        out.say(f"left off the site as drafts (`draft: true`): {', '.join(report.drafts)}")
    for note in report.download_notes:
        out.say(f"downloads {note}")
    published = report.unchanged + len(built)
    out.say(f"site of {counted(published, 'issue')} in {shown(report.out)} ({counted(report.files, 'file')}) "
            f"in {report.seconds:.1f}s", style="bold green")
