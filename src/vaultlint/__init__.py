"""vaultlint: lint and repair Obsidian vaults, judged the way Obsidian resolves links."""

__version__ = "0.1.0"
