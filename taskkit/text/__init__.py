"""Text from packs and models: bounded regexes, nearest names, normalisations."""
