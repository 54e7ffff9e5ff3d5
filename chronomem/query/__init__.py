"""The read side: hybrid search, fusion and rerank, filters, multi-hop, context blocks."""

from chronomem.query.context import build_context, estimate_tokens
from chronomem.query.engine import SearchEngine
from chronomem.query.fusion import mmr, reciprocal_rank_fusion, score_fusion
from chronomem.query.multihop import Subgraph, neighbors, paths, personalised_pagerank
from chronomem.query.recipes import RECIPES, GeneratorSpec, Recipe, get_recipe
from chronomem.query.request import SearchRequest

__all__ = [
    "RECIPES",
    "GeneratorSpec",
    "Recipe",
    "SearchEngine",
    "SearchRequest",
    "Subgraph",
    "build_context",
    "estimate_tokens",
    "get_recipe",
    "mmr",
    "neighbors",
    "paths",
    "personalised_pagerank",
    "reciprocal_rank_fusion",
    "score_fusion",
]
