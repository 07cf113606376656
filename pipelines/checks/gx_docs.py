"""A Data Docs index that lists every table's latest validation page on disk.

GX's default index drops pages whose results are not in the building context's store; with an
ephemeral context per run, a market refresh would then drop the pages of the tables the other
job validated. Imported by GX (by class name) only while Data Docs are built, never at load.
"""

import logging

from great_expectations.render.renderer import site_builder
from great_expectations.render.renderer.site_builder import DefaultSiteIndexBuilder


class KeepAllSiteIndexBuilder(DefaultSiteIndexBuilder):
    def build(self, skip_and_clean_missing: bool = False, build_index: bool = True):
        # GX warns once per page of the other job's tables ("Validation result not found"), which
        # is expected here and was a screenful of noise on every `sovai refresh`.
        logger = logging.getLogger(site_builder.__name__)
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            return super().build(skip_and_clean_missing=False, build_index=build_index)
        finally:
            logger.setLevel(level)
