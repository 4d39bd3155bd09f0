"""Moving from ELLA: an ELLA v1.17 database (and its attachment files) into the kit's schema, nothing lost.

``mapping`` says how each ELLA table lands in the kit; ``source`` opens both databases; ``validation`` finds
every row that would not fit; ``persist`` copies (COPY, streamed, one transaction); ``attachments`` checks and
copies the files; ``verification`` compares counts and checksums; ``importing`` runs them in that order.
"""
