"""The glossary of docs/i18n.md, pinned: each key English term translates to DataWorks' own Chinese word (or ours)
in the compiled catalogue, so a reviewer recognises the event and the action they are asked about."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from events.catalogue import EVENT_NAMES, event_name

# English msgid -> the Chinese term (docs/i18n.md, "Glossary").
GLOSSARY = {
    # DataWorks' words: event names (events/catalogue.py EVENT_NAMES)
    "File commit": "文件提交",
    "File deploy": "文件发布",
    "File run": "文件运行",
    "File delete": "文件删除",
    "Table commit": "表提交",
    "Table deploy": "表发布",
    "Node freeze": "节点冻结",
    "Node unfreeze": "节点解冻",
    "Node undeploy": "节点下线",
    "Backfill": "补数据",
    "Instance freeze": "实例冻结",
    "Instance unfreeze": "实例解冻",
    "Instance rerun": "实例重跑",
    "Set instance successful": "实例置成功",
    "Instance stop": "实例终止运行",
    # DataWorks' words: places and objects
    "Workspace": "工作空间",
    "workspace": "工作空间",
    "Workspace ID": "工作空间 ID",
    "Nodes": "节点",
    "Instances": "实例",
    "Scheduling configuration": "调度配置",
    # Review Gate's words
    "Ticket": "工单",
    "Inbox": "收件箱",
    "Reviews": "审批",
    "Approve": "批准",
    "Approved": "已批准",
    "Reject": "驳回",
    "Rejected": "已驳回",
    "Approve with a warning": "有警告地批准",
    "Approved with a warning": "有警告地批准",
    "Emergency override": "紧急放行",
    "Waiting for review": "等待审批",
    "Needs attention": "需要处理",
    "reviewer rules": "审批规则",
    "reviewers": "审批人",
    "Result delivery": "结果回传",
    "Log out": "退出登录",
    "Log in": "登录",
}

# Check results as DataWorks shows them: 通过 / 警告 / 不通过 (msgctxt "check result").
CHECK_RESULTS = {"OK": "通过", "WARN": "警告", "FAIL": "不通过"}


@pytest.mark.parametrize(("english", "chinese"), sorted(GLOSSARY.items()))
def test_each_glossary_term_translates_to_its_chinese_term(english, chinese):
    with translation.override("zh-hans"):
        assert gettext(english) == chinese


@pytest.mark.parametrize(("code", "chinese"), sorted(CHECK_RESULTS.items()))
def test_check_results_use_dataworks_words(code, chinese):
    with translation.override("zh-hans"):
        assert pgettext("check result", code) == chinese
    with translation.override("en"):
        assert pgettext("check result", code) == code


def test_event_names_carry_the_code_in_both_languages():
    with translation.override("zh-hans"):
        assert event_name("commit-file") == "文件提交 (commit-file)"
        assert event_name("backfill-data") == "补数据 (backfill-data)"
        assert event_name("no-such-event") == "no-such-event"
    with translation.override("en"):
        assert event_name("commit-file") == "File commit (commit-file)"


def test_every_event_name_is_translated():
    for code, name in EVENT_NAMES.items():
        with translation.override("zh-hans"):
            chinese = str(name)
        with translation.override("en"):
            english = str(name)
        assert chinese != english, code
        assert all("\u4e00" <= char <= "\u9fff" for char in chinese), (code, chinese)
