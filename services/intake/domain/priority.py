"""The priority intake proposes from what the caller said (轻重缓急). Pure rules.

Callers say the same danger many ways, with spaces, full-width letters, traditional characters and
typos, so the text and every keyword are normalised the same way before they are compared:
full-width → half-width, lower case, traditional → simplified for the characters the rules use, and
(for Chinese) whitespace and punctuation dropped. A keyword in Latin letters matches whole words
("fire" does not match "firewall"); a keyword written `a+b` matches when every part is in the text
("电梯+出不来"). The most urgent matching rule wins, whatever else the sentence says: danger to
people or property (P1) outranks the category and every other rule, including the estate's own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from services.intake.domain.tickets import PRIORITIES, Priority

# Only the characters the rules (and callers' traditional-script phrasings of them) use.
_TRADITIONAL = str.maketrans(
    "電關裡裏內來開門氣煙燒災傷觸斷滲暈墜樓著燈線險報沒無鎖壞動衝噴滿廁馬聞點題費請個這發現嚴滅還場夾層護車爐熱積濕頂牆墻搶鬥殺閘難進風喪",
    "电关里里内来开门气烟烧灾伤触断渗晕坠楼着灯线险报没无锁坏动冲喷满厕马闻点题费请个这发现严灭还场夹层护车炉热积湿顶墙墙抢斗杀闸难进风丧",
)
_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _base(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, traditional → simplified, apostrophes dropped."""
    return _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).lower().translate(_TRADITIONAL))


@dataclass(frozen=True)
class NormalisedText:
    """The text twice: squeezed (no spaces or punctuation, for Chinese) and as Latin words."""

    squeezed: str
    words: str  # " word word … " — padded, so " fire " finds a whole word

    @classmethod
    def of(cls, text: str) -> NormalisedText:
        base = _base(text)
        squeezed = "".join(ch for ch in base if unicodedata.category(ch)[0] in "LN")
        return cls(squeezed=squeezed, words=f" {' '.join(_NOT_WORD.sub(' ', base).split())} ")


@lru_cache(maxsize=4096)
def _normalised_part(part: str) -> tuple[bool, str]:
    """(Latin words?, the part as the text is normalised): " gas leak " or "燃气"."""
    if part.isascii():
        words = " ".join(_NOT_WORD.sub(" ", _base(part)).split())
        return True, f" {words} " if words else ""
    return False, NormalisedText.of(part).squeezed


@lru_cache(maxsize=4096)
def _keyword_parts(keyword: str) -> tuple[tuple[bool, str], ...]:
    return tuple(_normalised_part(part) for part in keyword.split("+") if part.strip())


def keyword_matches(keyword: str, text: NormalisedText) -> bool:
    """`a+b`: every part is in the text; a Latin part as whole words, a Chinese part anywhere."""
    parts = _keyword_parts(keyword)
    return bool(parts) and all(
        bool(normalised) and normalised in (text.words if latin else text.squeezed) for latin, normalised in parts)


@dataclass(frozen=True)
class PriorityRule:
    """Keywords that make a request this urgent; `categories` empty means any category."""

    priority: str
    keywords: tuple[str, ...]
    categories: tuple[str, ...] = ()

    def matches(self, category: str, text: NormalisedText) -> bool:
        if self.categories and category not in self.categories:
            return False
        return any(keyword_matches(keyword, text) for keyword in self.keywords)


LIFT = ("电梯", "lift", "elevator", "elevater", "elavator", "elevtor")


def _with_lift(*phrases: str) -> tuple[str, ...]:
    return tuple(f"{lift}+{phrase}" for lift in LIFT for phrase in phrases)


# Danger to people or property now (P1): someone trapped or hurt, fire or smoke, gas, electricity,
# water pouring out, a building without water or power. Typos callers make are listed with the words.
TRAPPED = (
    "困人", "困梯", "被困", "困住", "困在", "关人", "关在电梯", "卡在电梯", "夹人", "捆人", "电梯里有人", "电梯里面有人",
    *_with_lift("出不来", "出不去", "关住", "被关", "关着人", "有人在里面", "人在里面", "里面有人", "里边有人", "有人被"),
    "trapped", "traped", "trappd", "entrapment", "stuck in the lift", "stuck in lift", "stuck inside the lift",
    "stuck in the elevator", "stuck in elevator", "stuck inside the elevator", "locked in the lift",
    *_with_lift("cant get out", "cannot get out", "can not get out", "someone inside", "people inside", "is inside",
                "are inside", "still inside", "stuck inside"),
)
FIRE = (
    "着火", "着伙", "起火", "失火", "火灾", "火警", "冒烟", "浓烟", "烟雾", "冒火", "火苗", "火光", "烧起来", "烧着", "烧焦", "烟味", "焦味",
    "fire", "fires", "on fire", "smoke", "smoking from", "flames", "burning smell", "smell of burning",
    "something burning", "blaze",
)
GAS = (
    "燃气+漏", "燃气+味", "燃气+臭", "然气+漏", "然气+味", "煤气+漏", "煤气+味", "煤气+臭", "媒气+漏", "媒气+味",
    "燃气+泄露", "煤气+泄露", "天然气+漏", "天然气+味", "液化气+漏", "漏气", "瓦斯",
    "gas leak", "gas leaks", "gas leaking", "leaking gas", "gas leakage", "gas leek", "gass leak", "gas smell",
    "smell of gas", "smell gas", "smells of gas", "smells like gas", "smelling gas",
)
ELECTRIC = (
    "漏电", "露电", "触电", "电火花", "冒火花", "电线+烧", "电箱+烧",
    "electric shock", "electrocuted", "sparks", "sparking", "exposed wires", "live wire",
)
WATER = (
    "爆管", "暴管", "爆水管", "水管爆", "水管破", "水管+裂", "管子+爆", "管道爆", "管道破", "爆裂", "跑水", "水浸", "浸水", "淹水", "水淹", "被淹",
    "水漫", "漫水", "水管+喷水", "大量漏水", "水流不止",
    "burst pipe", "burst pipes", "pipe burst", "pipe has burst", "pipes burst", "brust pipe", "bust pipe",
    "busted pipe", "flooding", "flooded", "flood", "floding", "water everywhere", "water pouring",
)
OUTAGE = ("停水", "停电", "断水", "断电", "楼+没电", "楼+没水", "小区+没电", "小区+没水", "no water", "no power", "power cut",
          "power outage", "blackout", "no electricity")
HURT = (
    "受伤", "流血", "晕倒", "昏倒", "昏迷", "摔倒", "摔伤", "砸伤", "砸到人", "坠楼", "高空坠物", "救命", "急救",
    "叫救护车", "打架", "持刀", "抢劫", "跳楼", "injured", "injury", "bleeding", "unconscious", "collapsed",
    "not breathing", "ambulance", "fell from", "falling objects",
)
# Urgent (P2): the lift out of order, water coming through, drains blocked, power tripping, doors that
# no longer open.
URGENT = (
    "漏水", "渗水", "滴水", "积水", "跳闸", "堵塞", "堵了", "堵住", "反水", "冒水", "门禁", "进不了门", "电梯故障",
    *_with_lift("坏", "故障", "停运", "不动", "不能用", "用不了", "卡住", "异响", "门打不开", "关不上"),
    "leak", "leaks", "leaking", "leaky", "water leak", "dripping", "seeping", "blocked", "clogged", "overflowing",
    "tripped", "lift fault", "elevator", "lift broken", "lift is broken", "lift not working",
    "lift is not working", "lift out of order", "lift is stuck", "lift stuck",
)
DEFAULT_PRIORITY_RULES: tuple[PriorityRule, ...] = (
    PriorityRule("P1", TRAPPED + FIRE + GAS + ELECTRIC + WATER + OUTAGE + HURT),
    PriorityRule("P2", URGENT),
)
# Nothing matched: the category decides.
DEFAULT_PRIORITY: dict[str, Priority] = {
    "repair": "P3", "help": "P2", "complaint": "P3", "consultation": "P4", "suggestion": "P4", "praise": "P4",
}


def propose_priority(category: str, text: str, *, estate_rules: Iterable[PriorityRule] = ()) -> Priority:
    """The most urgent priority whose rule matches the text (defaults and the estate's own), else the category's."""
    normalised = NormalisedText.of(text)
    rules = sorted((*DEFAULT_PRIORITY_RULES, *estate_rules), key=lambda rule: PRIORITIES.index(rule.priority))
    for rule in rules:  # most urgent first: the first that matches is the answer
        if rule.matches(category, normalised):
            return rule.priority  # type: ignore[return-value]
    return DEFAULT_PRIORITY[category]
