"""Shared by the link rules: what a broken link was probably meant to reach, and how
to write a link to it the way Obsidian would, verified by resolving it again."""

from __future__ import annotations

import math
import posixpath
import re
from urllib.parse import unquote

from . import obsidian
from .diagnostics import Applicability, Fix
from .note import Heading, Link, LinkStyle, Note
from .records import dataclass
from .vault import Vault

# Obsidian's accepted file formats (help: "Accepted file formats") plus notes.
KNOWN_EXTENSIONS = frozenset(
    "md canvas base pdf avif bmp gif jpeg jpg png svg webp flac m4a mp3 ogg wav webm 3gp mkv mov mp4 ogv "
    "csv json txt html htm zip docx xlsx pptx".split()
)


COMMENTS_OPTION_HELP = "Also report links inside %% comments (Obsidian indexes them; authors treat them as drafts)."


def checked_links(note: Note, include_comments: bool) -> list[Link]:
    """The links a link rule looks at: not those in ``%% %%`` comments, unless asked."""
    return [link for link in note.links if include_comments or not link.in_comment]


def explicit_extension(path: str) -> str | None:
    """The extension of a link path when it names one Obsidian knows (``x.png``), else None."""
    suffix = posixpath.splitext(path)[1].lower().lstrip(".")
    return suffix if suffix in KNOWN_EXTENSIONS else None


def is_explicit_path(link: Link) -> bool:
    """A link that names a folder or an extension can never be a note not yet created."""
    return "/" in link.path or explicit_extension(link.path) is not None


def wanted_file_name(path: str) -> str:
    name = posixpath.basename(path)
    return name if explicit_extension(name) else name + ".md"


@dataclass(frozen=True, slots=True)
class Repair:
    """A file a broken link can be pointed at, and how sure that is."""

    target: str
    reason: str
    applicability: Applicability


_JUNK_TAIL = re.compile(r"(?:\\|/|%5[cC]|%2[fF]|%20|\s|[\"'])+$")


def _strip_junk(path: str) -> str:
    cleaned = _JUNK_TAIL.sub("", path)
    cleaned = cleaned.strip("\"'<> ")
    if "%" in cleaned:
        cleaned = unquote(cleaned)
    return obsidian.clean_string(cleaned)


def repair_candidates(vault: Vault, note: Note, link: Link) -> tuple[Repair | None, list[str]]:
    """The one file a broken link can be repaired to, or the several it might mean.

    In order: a file with exactly the wanted name elsewhere in the vault (safe);
    the name once encoding junk is stripped (unsafe); a clearly closest similar
    name with the same extension (unsafe).
    """
    same_name = vault.index.named(wanted_file_name(link.path))
    if len(same_name) == 1:
        return Repair(same_name[0], "the only file with this name", Applicability.SAFE), []
    if len(same_name) > 1:
        return None, same_name
    cleaned = _strip_junk(link.path)
    if cleaned and cleaned != link.path:
        found = vault.resolve(cleaned, note.path)
        if len(found.candidates) == 1:
            return Repair(found.candidates[0], "the same name without stray characters", Applicability.UNSAFE), []
        named = vault.index.named(wanted_file_name(cleaned))
        if len(named) == 1:
            return Repair(named[0], "the same name without stray characters", Applicability.UNSAFE), []
    similar = similar_files(vault, wanted_file_name(link.path))
    if len(similar) == 1:
        return Repair(similar[0], "the closest similar name", Applicability.UNSAFE), []
    return None, similar


# Names shorter than this are too short for similarity to mean a typo ("AL" vs "a").
MIN_FUZZY_NAME = 4


def _stem(name: str) -> str:
    return posixpath.splitext(name)[0]


def similar_files(vault: Vault, file_name: str, cutoff: float = 88.0) -> list[str]:
    """Files whose name is close to ``file_name`` (same extension); one when it is clearly best."""
    stem = _stem(file_name).lower()
    extension = posixpath.splitext(file_name)[1].lower()
    if len(stem) >= MIN_FUZZY_NAME:
        # What is found depends on the names close to this one, and only on those
        # (recorded also when remembered: each note's findings keep what they read).
        vault.index.read_names_near(stem, extension, cutoff)
    remembered = vault.memo.get(("similar", file_name, cutoff))
    if remembered is not None:
        return remembered
    paths: list[str] = []
    if len(stem) >= MIN_FUZZY_NAME:
        from rapidfuzz import fuzz, process

        names, by_length = _stems_by_length(vault, extension)
        # fuzz.ratio is 100 * (1 - distance / (a + b)) and the distance is at least
        # |a - b|, so names whose length is too far from the stem's cannot reach the
        # cutoff: only the others are scored. Every name that reaches it is kept, then
        # ranked by score and vault order, so that ties and the limit of three pick
        # what scoring every name would.
        slack = 1 - cutoff / 100
        shortest = math.floor(len(stem) * (1 - slack) / (1 + slack))
        longest = math.ceil(len(stem) * (1 + slack) / (1 - slack)) if slack < 1 else max(by_length, default=0)
        stems: list[str] = []
        positions: list[int] = []
        for length in range(shortest, longest + 1):
            bucket = by_length.get(length)
            if bucket is not None:
                stems += bucket[0]
                positions += bucket[1]
        scored = process.extract(stem, stems, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
        matches = sorted((-score, positions[at]) for _, score, at in scored)[:3]
        if matches:
            best = -matches[0][0]
            close = [names[at] for score, at in matches if best + score < 4]
            paths = [path for name in close for path in vault.index.named(name)]
    vault.memo[("similar", file_name, cutoff)] = paths
    return paths


def _stems_by_length(vault: Vault, extension: str) -> tuple[list[str], dict[int, tuple[list[str], list[int]]]]:
    """The vault's file names ending with ``extension``, and their stems by length
    (with each stem's position in that list); built once per extension."""
    found = vault.memo.get(("stems", extension))
    if found is None:
        names = [name for name in vault.index.names(record=False) if name.endswith(extension)]
        by_length: dict[int, tuple[list[str], list[int]]] = {}
        for at, name in enumerate(names):
            stem = obsidian.stem_of(name, extension)
            bucket = by_length.setdefault(len(stem), ([], []))
            bucket[0].append(stem)
            bucket[1].append(at)
        found = vault.memo[("stems", extension)] = (names, by_length)
    return found


def raw_subpath(link: Link) -> str:
    """The subpath exactly as written in the source (from the first literal ``#``)."""
    hash_at = link.raw_target.find("#")
    return "" if hash_at == -1 else link.raw_target[hash_at:]


def link_format_for(vault: Vault, link: Link) -> str:
    """app.json's ``newLinkFormat`` when set, else the form the link already uses."""
    if vault.settings.new_link_format:
        return vault.settings.new_link_format
    raw_path = link.raw_target.split("#", 1)[0]
    if raw_path.startswith(("./", "../")):
        return "relative"
    if "/" in raw_path:
        return "absolute"
    return "shortest"


def _encode_markdown(path: str) -> str:
    encoded = obsidian.encode_special_chars(path)
    if encoded.count("(") != encoded.count(")"):
        encoded = encoded.replace("(", "%28").replace(")", "%29")
    return encoded


def rewrite_target(vault: Vault, note: Note, link: Link, target: str, link_format: str | None = None) -> str | None:
    """New source text for ``link.target_span`` pointing at ``target``, subpath kept.

    Tries the preferred path form, then the full vault path; returns ``None``
    when no form both parses as a link and resolves to ``target`` in Obsidian.
    """
    preferred = link_format or link_format_for(vault, link)
    forms = [preferred] + [form for form in ("absolute",) if form != preferred]
    subpath = raw_subpath(link)
    # Keep `.md` exactly when the link wrote it (ignoring stray junk such as a trailing `%5C`).
    keep_md = _strip_junk(link.path).lower().endswith(".md")
    for form in forms:
        path_text = vault.index.link_text_for(target, note.path, form, keep_md=keep_md)
        if link.style is LinkStyle.WIKILINK:
            if any(bad in path_text for bad in ("#", "|", "[[", "]]", "^")):
                return None
            candidate = path_text + subpath
            # The link must still end where it did: a name ending in `]` (`x [1].md`)
            # would close `[[x [1]]]` early, and the fix would repeat forever.
            rest = note.text[link.target_span.end:link.span.end]
            if (candidate + rest).find("]]") != len(candidate) + len(rest) - 2:
                continue
            check_path = obsidian.split_linktext(obsidian.clean_string(path_text))[0]
        else:
            if "#" in path_text or ":" in path_text:
                return None
            if link.angle_brackets:
                if any(bad in path_text for bad in "<>\n"):
                    return None
                written = path_text
            else:
                written = _encode_markdown(path_text)
            candidate = written + subpath
            decoded = obsidian.decode_uri(written)
            if decoded is None:
                continue
            check_path = obsidian.clean_string(decoded)
        if vault.resolve(check_path, note.path).target == target:
            return candidate
    return None


def write_subpath(chain: list[str], encode: bool) -> str:
    """A heading subpath the way Obsidian writes it; ``encode`` for Markdown destinations."""
    subpath = "#" + "#".join(chain)
    return _encode_markdown(subpath) if encode else subpath


# --- headings ------------------------------------------------------------------


def _loose_key(text: str) -> str:
    decoded = unquote(text)
    return obsidian.heading_key(decoded.replace("-", " ").replace("_", " "))


def matching_headings(headings: list[Heading], segment: str) -> tuple[list[int], str]:
    """Headings a broken heading segment most plausibly meant, and how sure (safe/unsafe).

    First the headings equal after decoding escapes and GitHub-style slugs (safe
    when exactly one); then the clearly closest heading by similarity (unsafe).
    """
    wanted = _loose_key(segment)
    if not wanted:
        return [], "none"
    equal = [i for i, h in enumerate(headings) if _loose_key(h.text) == wanted]
    if equal:
        return equal, "normalised"
    from rapidfuzz import fuzz

    scored = sorted(((fuzz.ratio(wanted, _loose_key(h.text)), i) for i, h in enumerate(headings)), reverse=True)
    if not scored or scored[0][0] < 80:
        return [], "none"
    if len(scored) > 1 and scored[0][0] - scored[1][0] < 5:
        return [], "none"
    return [scored[0][1]], "similar"


def describe_link(link: Link) -> str:
    """How a link is quoted in messages: its target as written."""
    if link.style is LinkStyle.WIKILINK:
        return f"{'!' if link.embed else ''}[[{link.raw_target}]]"
    return f"{'!' if link.embed else ''}[…]({link.raw_target})"


def target_fix(vault: Vault, note: Note, link: Link) -> tuple[Fix | None, str]:
    """A fix re-pointing a link with an unresolved target, and a sentence for the message."""
    repair, several = repair_candidates(vault, note, link)
    if repair is None:
        if several:
            shown = ", ".join(repr(path) for path in several[:5])
            more = f" and {len(several) - 5} more" if len(several) > 5 else ""
            return None, f"several files could be meant ({shown}{more}); no automatic fix"
        return None, ""
    new_text = rewrite_target(vault, note, link, repair.target)
    if new_text is None:
        return None, f"did you mean {repair.target!r}? (no link form reaches it unambiguously)"
    fix = Fix.replace(f"Link to {repair.target!r} ({repair.reason})", link.target_span, new_text, repair.applicability)
    return fix, f"did you mean {repair.target!r} ({repair.reason})?"


def unresolved_reason(vault: Vault, note: Note, link: Link) -> str:
    resolution = vault.resolve_link(link, note)
    if resolution.escapes_root:
        return "its relative path climbs above the vault root"
    if "/" in link.path:
        return f"no file matches the path '{link.path}'"
    name = posixpath.basename(link.path)
    shown = f"'{name}'" if "." in name else f"'{name}' or '{name}.md'"
    return f"no file in the vault is named {shown}"


def looks_like_junk(path: str) -> bool:
    return path != path.rstrip("\\/ ") or "%" in path


def is_uncreated_note(vault: Vault, note: Note, link: Link) -> bool:
    """An unresolved bare note name that resembles nothing in the vault: a note-to-be."""
    if is_explicit_path(link) or vault.resolve_link(link, note).escapes_root or looks_like_junk(link.path):
        return False
    return not similar_files(vault, wanted_file_name(link.path))
