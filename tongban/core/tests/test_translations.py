"""Every user-facing string has a Simplified Chinese translation (the default language)."""

from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "tongban" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_no_message_is_left_untranslated_or_fuzzy():
    untranslated = []
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]
    for entry in entries:
        lines = [line for line in entry.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            untranslated.append(entry)
            continue
        msgstr_lines = [i for i, line in enumerate(lines) if line.startswith("msgstr")]
        for i in msgstr_lines:
            value = lines[i].split(" ", 1)[1]
            continuation = [line for line in lines[i + 1 :] if line.startswith('"')]
            if value == '""' and not any(line != '""' for line in continuation[:1]):
                untranslated.append(entry)
    assert not untranslated, "\n\n".join(untranslated)
