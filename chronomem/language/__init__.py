"""The shared language layer: what both the write side (ingest) and the read side (query) read.

- :mod:`~chronomem.language.timex`: temporal expressions resolved against a reference time;
- :mod:`~chronomem.language.cues`: cue words (verbs, prepositions, nouns) and the relations
  they express;
- :mod:`~chronomem.language.lemmas`: a lemmatiser without spaCy's lookup tables;
- :mod:`~chronomem.language.grounding`: "I" and "my" written as the speaker's name.

It imports only the ground floor (:mod:`chronomem.schema`, :mod:`chronomem.errors`).
"""
