"""Open Contracting Data Standard (OCDS 1.1.5) releases.

``build`` is the entry point (and documents how our data maps to OCDS); ``dps_release`` and
``tender_release`` read the models; ``entries`` and ``awards`` turn plain data into OCDS
objects; ``validate`` checks packages against the patched schema in ``schema/``; ``routes``
serves them at /ocds and ``export`` writes them to files.
"""
