"""The priority intake proposes from what callers actually say: safety first, spaces and typos tolerated."""

import pytest

from services.intake.domain.priority import PriorityRule, propose_priority

# (category the agent chose, what the caller said, the priority expected)
PHRASINGS = [
    # someone trapped in a lift
    ("repair", "电梯困人", "P1"),
    ("repair", "5栋电梯困梯，有人被困", "P1"),
    ("repair", "电梯里有人出不来", "P1"),
    ("help", "我妈被关在电梯里了", "P1"),
    ("repair", "3号楼电梯卡住了，里面有人出不去", "P1"),
    ("repair", "电 梯 困 人 ！！", "P1"),
    ("repair", "電梯困人，請盡快", "P1"),
    ("repair", "电梯捆人了快来", "P1"),
    ("consultation", "想问下物业费，另外2号电梯好像困住人了", "P1"),
    ("help", "Someone is trapped in the lift", "P1"),
    ("help", "my son is stuck in the elevator!!", "P1"),
    ("repair", "TRAPED in lift, block 5", "P1"),
    ("repair", "the lift stopped and we can't get out", "P1"),
    ("help", "ｔｒａｐｐｅｄ ｉｎ ｔｈｅ ｌｉｆｔ", "P1"),
    ("repair", "电梯停了，里面有人", "P1"),
    ("repair", "elevator stuck between floors and my dad is inside", "P1"),
    # fire and smoke
    ("repair", "楼道着火了", "P1"),
    ("complaint", "投诉楼下烧烤，现在阳台冒烟了", "P1"),
    ("repair", "配电房冒 烟", "P1"),
    ("repair", "厨房著火", "P1"),
    ("repair", "There is a fire in the bin room", "P1"),
    ("complaint", "smoke coming out of the meter box", "P1"),
    ("repair", "楼道里一股烧焦味", "P1"),
    # gas
    ("repair", "闻到燃气味", "P1"),
    ("repair", "家里燃气泄漏", "P1"),
    ("repair", "厨房有煤气味", "P1"),
    ("repair", "煤气 泄露了", "P1"),
    ("repair", "然气漏了怎么办", "P1"),
    ("repair", "There is a GAS LEAK in the kitchen", "P1"),
    ("repair", "smells like gas on the 3rd floor", "P1"),
    ("repair", "gas leek near unit 302", "P1"),
    # electricity
    ("repair", "插座漏电", "P1"),
    ("repair", "电箱漏 电，有人触电", "P1"),
    ("repair", "sparks from the socket", "P1"),
    # water
    ("repair", "地下车库爆管", "P1"),
    ("repair", "水管爆裂，水一直喷", "P1"),
    ("repair", "楼上跑水了，我家天花板在滴", "P1"),
    ("repair", "a burst pipe in the basement", "P1"),
    ("repair", "the corridor is flooded", "P1"),
    ("repair", "整栋楼停水", "P1"),
    ("repair", "整个楼都没电了", "P1"),
    ("repair", "厨房爆水管了", "P1"),
    ("repair", "漏水之后又停电了", "P1"),
    ("repair", "power cut in block 3", "P1"),
    # people hurt
    ("help", "有人受伤了，在小区门口", "P1"),
    ("complaint", "保安态度差，刚才还有人摔倒流血没人管", "P1"),
    ("help", "an old man collapsed in the lobby", "P1"),
    ("help", "someone is injured in the car park", "P1"),
    # urgent, not dangerous
    ("repair", "卫生间天花板漏水", "P2"),
    ("repair", "卫 生 间 渗 水", "P2"),
    ("repair", "电梯坏了，不能用", "P2"),
    ("repair", "马桶堵了", "P2"),
    ("repair", "门禁刷不开", "P2"),
    ("repair", "the lift is not working", "P2"),
    ("repair", "water is leaking from the ceiling", "P2"),
    ("repair", "kitchen sink blocked", "P2"),
    # normal and low: words that only look like danger
    ("repair", "门铃不响", "P3"),
    ("repair", "手机没电了，帮我记一下门铃不响", "P3"),
    ("complaint", "楼上装修噪音", "P3"),
    ("repair", "the firewall on the gate intercom needs updating", "P3"),
    ("complaint", "电梯广告太吵", "P3"),
    ("consultation", "物业费怎么交", "P4"),
    ("consultation", "燃气费在哪里交？", "P4"),
    ("praise", "保安小王帮我提东西，很感谢", "P4"),
    ("suggestion", "建议小区多种点花", "P4"),
    ("consultation", "how do I pay the service fee", "P4"),
]


@pytest.mark.parametrize(("category", "text", "expected"), PHRASINGS, ids=[p[1] for p in PHRASINGS])
def test_priority_is_proposed_from_how_callers_speak(category, text, expected):
    assert propose_priority(category, text) == expected


def test_the_table_is_broad_enough():
    assert len(PHRASINGS) >= 40
    assert sum(1 for _, text, _ in PHRASINGS if text.isascii()) >= 15  # English too


def test_safety_wins_over_the_category_and_everything_else_in_the_sentence():
    for category in ("consultation", "praise", "suggestion", "complaint"):
        assert propose_priority(category, "谢谢你们，顺便说一下电梯里有人出不来") == "P1"
    assert propose_priority("repair", "马桶堵了，漏水，还有燃气味") == "P1"


def test_an_estate_rule_extends_the_proposal():
    extra = (PriorityRule("P1", ("化粪池",)), PriorityRule("P2", ("Noisy PUMP",), ("repair",)))
    assert propose_priority("repair", "化粪池满溢", estate_rules=extra) == "P1"
    assert propose_priority("repair", "化粪池满溢") == "P3"
    assert propose_priority("repair", "the noisy pump again", estate_rules=extra) == "P2"
    assert propose_priority("complaint", "the noisy pump again", estate_rules=extra) == "P3"  # only for repairs
    assert propose_priority("repair", "化粪池满溢, gas leak", estate_rules=extra) == "P1"


def test_an_estate_rule_may_require_every_part_of_a_keyword():
    extra = (PriorityRule("P2", ("水泵+异响",)),)
    assert propose_priority("repair", "地下室水泵有异响", estate_rules=extra) == "P2"
    assert propose_priority("repair", "地下室水泵", estate_rules=extra) == "P3"


def test_an_estate_rule_cannot_make_a_danger_less_urgent():
    assert propose_priority("repair", "有人困梯", estate_rules=(PriorityRule("P4", ("困梯",)),)) == "P1"
