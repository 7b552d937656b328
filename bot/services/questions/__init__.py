"""Answers to questions typed in people's own words, from the programme and the brochure.

Use :class:`QuestionService`; see ``bot/data/knowledge.toml`` for the knowledge base.
"""

from bot.services.questions.knowledge import KnowledgeBase
from bot.services.questions.results import Reply, Suggestion
from bot.services.questions.service import QuestionService

__all__ = ["KnowledgeBase", "QuestionService", "Reply", "Suggestion"]
