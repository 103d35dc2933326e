"""Templates: Jinja2, sandboxed, strict about undefined variables, Chinese by default with English.

A template is looked up by (name, channel, language): an estate's own for that channel, then the
estate's for every channel (`*`), then the shipped default for the channel, then the shipped one for
every channel; English falls back to Chinese. A template is checked when it is saved: every variable
it names must be one its event provides, and it must render with the sample data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from services.notification.domain.contexts import BUILDERS, sample

LANGUAGES = ("zh", "en")
ANY_CHANNEL = "*"
_environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@dataclass(frozen=True)
class Text:
    body: str
    subject: str | None = None  # e-mail's subject line; other channels ignore it


def _t(body: str, subject: str | None = None) -> Text:
    return Text(body=body, subject=subject)


# (name, channel, language) → text. Channel `*` serves every channel without its own.
DEFAULTS: dict[tuple[str, str, str], Text] = {
    ("ticket.received", "*", "zh"): _t(
        "您的诉求已受理，单号 {{ ticket_number }}：{{ description }}。我们将于 {{ promised_reply_at }} 前答复您。",
        "诉求已受理 {{ ticket_number }}"),
    ("ticket.received", "*", "en"): _t(
        "We have your request {{ ticket_number }}: {{ description }}. You will have an answer by "
        "{{ promised_reply_at }}.", "Request received {{ ticket_number }}"),
    ("ticket.technician_assigned", "*", "zh"): _t(
        "您的报修 {{ ticket_number }} 已派给 {{ assignee_name }}，师傅接单后将尽快上门。", "已派工 {{ ticket_number }}"),
    ("ticket.technician_assigned", "*", "en"): _t(
        "Your request {{ ticket_number }} is assigned to {{ assignee_name }}.", "Assigned {{ ticket_number }}"),
    ("ticket.technician_on_the_way", "*", "zh"): _t(
        "{{ assignee_name or '维修师傅' }} 已接单，正在前往处理您的报修 {{ ticket_number }}。"),
    ("ticket.technician_on_the_way", "*", "en"): _t(
        "{{ assignee_name or 'The technician' }} is on the way for your request {{ ticket_number }}."),
    ("ticket.work_done", "*", "zh"): _t(
        "您的报修 {{ ticket_number }} 已完工{% if work_done %}：{{ work_done }}{% endif %}。如有问题请致电服务中心。"),
    ("ticket.work_done", "*", "en"): _t(
        "The work on your request {{ ticket_number }} is done{% if work_done %}: {{ work_done }}{% endif %}."),
    ("ticket.follow_up", "*", "zh"): _t(
        "您的报修 {{ ticket_number }} 已处理完毕，请对本次服务进行评价，感谢您的支持。"),
    ("ticket.follow_up", "*", "en"): _t("How did we do on your request {{ ticket_number }}? Please rate the work."),
    ("incident.notice", "*", "zh"): _t(
        "【紧急通知】{{ message }}{% if location %}（{{ location }}）{% endif %}。物业正在处理，请注意安全。",
        "紧急通知"),
    ("incident.notice", "*", "en"): _t(
        "[Urgent] {{ message }}{% if location %} ({{ location }}){% endif %}. We are on it; please stay safe.",
        "Urgent notice"),
    ("incident.updated", "*", "zh"): _t(
        "【进展】事件 {{ number }}：{{ status }}{% if note %}，{{ note }}{% endif %}。"),
    ("incident.updated", "*", "en"): _t("[Update] Incident {{ number }}: {{ status }}{% if note %}, {{ note }}{% endif %}."),
    ("incident.resolved", "*", "zh"): _t(
        "【已恢复】事件 {{ number }} 已处理完毕{% if resolution %}：{{ resolution }}{% endif %}。感谢您的理解。"),
    ("incident.resolved", "*", "en"): _t(
        "[Resolved] Incident {{ number }} is over{% if resolution %}: {{ resolution }}{% endif %}. Thank you."),
    ("bill.issued", "*", "zh"): _t(
        "{{ unit_number or '您的房屋' }} {{ period }} 账单已出，金额 {{ amount }} 元{% if due_date %}，"
        "请于 {{ due_date }} 前缴纳{% endif %}。", "{{ period }} 账单"),
    ("bill.issued", "*", "en"): _t(
        "Your bill for {{ period }} ({{ unit_number or 'your unit' }}) is {{ amount }} CNY"
        "{% if due_date %}, due {{ due_date }}{% endif %}.", "Bill for {{ period }}"),
    ("bill.overdue", "*", "zh"): _t(
        "{{ unit_number or '您的房屋' }} {{ period }} 账单已逾期，金额 {{ amount }} 元，请尽快缴纳。"),
    ("bill.overdue", "*", "en"): _t("Your bill for {{ period }} of {{ amount }} CNY is overdue."),
    ("payment.received", "*", "zh"): _t(
        "已收到您的缴费 {{ amount }} 元，收据号 {{ receipt_number }}。感谢您的支持。", "缴费收据 {{ receipt_number }}"),
    ("payment.received", "*", "en"): _t(
        "We received your payment of {{ amount }} CNY, receipt {{ receipt_number }}. Thank you.",
        "Receipt {{ receipt_number }}"),
    ("dunning.notice", "*", "zh"): _t(
        "【缴费通知】{{ unit_number or '您的房屋' }} 尚欠费用 {{ amount }} 元（{{ periods }}），请尽快缴纳。",
        "缴费通知"),
    ("dunning.notice", "*", "en"): _t(
        "[Payment notice] {{ unit_number or 'Your unit' }} owes {{ amount }} CNY ({{ periods }}).", "Payment notice"),
    ("balance.low", "*", "zh"): _t(
        "{{ unit_number or '您的房屋' }} {{ '预交电费余额' if balance_kind == 'electricity' else '预存余额' }} "
        "{{ balance }} 元，已低于 {{ threshold }} 元，请及时充值。"),
    ("balance.low", "*", "en"): _t(
        "The {{ 'prepaid electricity' if balance_kind == 'electricity' else 'prepaid' }} balance of "
        "{{ unit_number or 'your unit' }} is {{ balance }} CNY, below {{ threshold }} CNY."),
    ("workorder.assigned", "*", "zh"): _t(
        "新派工单 {{ number }}：{{ description }}{% if location %}（{{ location }}）{% endif %}，"
        "优先级 {{ priority }} {{ priority_name }}。"
        "{% if accept_by %}请于 {{ accept_by }} 前接单。{% else %}请尽快接单。{% endif %}"),
    ("workorder.assigned", "*", "en"): _t(
        "New work order {{ number }}: {{ description }}{% if location %} ({{ location }}){% endif %}, "
        "priority {{ priority }} {{ priority_name }}. "
        "{% if accept_by %}Accept it by {{ accept_by }}.{% else %}Please accept it soon.{% endif %}"),
    ("workorder.offered", "*", "zh"): _t(
        "【抢单】工单 {{ number }}：{{ description }}{% if location %}（{{ location }}）{% endif %}，"
        "优先级 {{ priority }}，先接先得。"),
    ("workorder.offered", "*", "en"): _t(
        "[Grab] Work order {{ number }}: {{ description }}, priority {{ priority }}; first to accept takes it."),
    ("sla.warning", "*", "zh"): _t("工单 {{ number }} {{ milestone }}即将超时，时限 {{ deadline }}。"),
    ("sla.warning", "*", "en"): _t("Work order {{ number }}: {{ milestone }} is due by {{ deadline }}."),
    ("sla.breached", "*", "zh"): _t("工单 {{ number }} {{ milestone }}已超时，时限 {{ deadline }}。"),
    ("sla.breached", "*", "en"): _t("Work order {{ number }}: {{ milestone }} missed its deadline {{ deadline }}."),
    ("workorder.escalated", "*", "zh"): _t(
        "【逐级上报·第{{ level }}级·{{ position }}】工单 {{ number }}（{{ priority }}）{{ cause }}：{{ description }}"
        "{% if emergency_contacts %}。应急联系：{{ emergency_contacts }}{% endif %}"),
    ("workorder.escalated", "*", "en"): _t(
        "[Escalation level {{ level }}, {{ position }}] Work order {{ number }} ({{ priority }}) {{ cause }}: "
        "{{ description }}{% if emergency_contacts %}. Emergency contacts: {{ emergency_contacts }}{% endif %}"),
    ("shift.handover_due", "*", "zh"): _t(
        "【交班提醒】{{ post }} 岗 {{ shift_day }} {{ shift_code }} 班次已结束，请于 {{ due_at }} 前提交交接班记录。"),
    ("shift.handover_due", "*", "en"): _t(
        "[Handover due] Post {{ post }}, {{ shift_day }} {{ shift_code }} shift has ended: please file the handover "
        "by {{ due_at }}."),
    ("shift.handover_missing", "*", "zh"): _t(
        "【未交班】{{ post }} 岗 {{ shift_day }} {{ shift_code }} 班次已结束，未提交交接班记录，请跟进。"),
    ("shift.handover_missing", "*", "en"): _t(
        "[No handover] Post {{ post }}, {{ shift_day }} {{ shift_code }} shift ended without a handover."),
    ("incident.declared", "*", "zh"): _t(
        "【突发事件】{{ number or '' }} {{ description }}{% if location %}（{{ location }}）{% endif %}，"
        "优先级 {{ priority }}，已启动应急预案，请立即处置。"),
    ("incident.declared", "*", "en"): _t(
        "[Incident] {{ number or '' }} {{ description }}{% if location %} ({{ location }}){% endif %}, "
        "priority {{ priority }}: the emergency plan is on."),
    ("report.daily_ready", "*", "zh"): _t(
        "{{ day }} 服务中心日报已生成{% if figures %}：{{ figures }}{% endif %}。查看：{{ report_url }}", "{{ day }} 日报"),
    ("report.daily_ready", "*", "en"): _t(
        "The daily report of {{ day }} is ready{% if figures %}: {{ figures }}{% endif %}. {{ report_url }}",
        "Daily report {{ day }}"),
    ("webhook.disabled", "*", "zh"): _t(
        "【Webhook 已停用】发往 {{ url }} 的订阅已停用：{{ reason }}"
        "{% if failing_since %}（自 {{ failing_since }} 起投递失败）{% endif %}。"
        "修复接收端后请重新启用订阅，并恢复停用期间失败的投递。", "Webhook 已停用"),
    ("webhook.disabled", "*", "en"): _t(
        "[Webhook disabled] Your subscription delivering to {{ url }} was disabled: {{ reason }}"
        "{% if failing_since %} (failing since {{ failing_since }}){% endif %}. Fix the endpoint, enable the "
        "subscription again and recover the deliveries that failed meanwhile.", "Webhook disabled"),
    ("announcement", "*", "zh"): _t("【公告】{{ title }}：{{ text }}", "{{ title }}"),
    ("announcement", "*", "en"): _t("[Notice] {{ title }}: {{ text }}", "{{ title }}"),
}
NAMES = sorted(BUILDERS)


class TemplateError(ValueError):
    def __init__(self, code: str, field: str, *, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    return _environment.from_string(source)


def render(source: str, variables: dict[str, Any]) -> str:
    return _compiled(source).render(**variables).strip()


def render_text(text: Text, variables: dict[str, Any]) -> Text:
    return Text(body=render(text.body, variables), subject=render(text.subject, variables) if text.subject else None)


def check(name: str, language: str, *, field: str, source: str) -> None:
    """Refuse a template naming a variable its event does not provide, or one that cannot render."""
    variables = sample(name, language)
    try:
        parsed = _environment.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateError("template_syntax", field, message=f"line {error.lineno}: {error.message}") from error
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(variables))
    if unknown:
        raise TemplateError("unknown_variable", field,
                            message=f"unknown variable {unknown[0]!r}; {name} knows {', '.join(sorted(variables))}")
    try:
        render(source, variables)
    except (UndefinedError, SecurityError, TypeError, ValueError) as error:
        raise TemplateError("template_error", field, message=str(error)) from error


def lookup(overrides: dict[tuple[str, str, str], Text], name: str, *, channel: str, language: str) -> Text:
    """The estate's text for this name, channel and language, or the shipped one."""
    for lang in dict.fromkeys((language, "zh")):
        for table in (overrides, DEFAULTS):
            for chan in (channel, ANY_CHANNEL):
                if (found := table.get((name, chan, lang))) is not None:
                    return found
    raise KeyError(name)
