"""The scripted user: the task's turns, tried in order each time the agent sends a message
without calls; the first that matches (and has not fired, if ``once``) answers; with none,
``otherwise``. Driven through the public :class:`Episode`, as an agent would."""

from __future__ import annotations

from users_helpers import call, compiled, heard, say, with_user

from taskkit.sim.episode import Episode
from taskkit.sim.users import USERS, ScriptedUser, SimulatedUser, UserView, make_user

ADDRESS = {"id": "address", "when": {"asks": ["address", "where to"]}, "say": "9 Oak Ave."}


def episode(*turns, **fields) -> Episode:
    return Episode(with_user(compiled(), *turns, **fields), "openai")


# -- the five triggers ------------------------------------------------------------------------


def test_asks_matches_a_phrase_on_word_boundaries_whatever_the_case():
    ep = episode(ADDRESS, otherwise="Sorry?")
    assert heard(say(ep, "What is the new ADDRESS, please?")) == "9 Oak Ave."
    ep = episode(ADDRESS, otherwise="Sorry?")
    assert heard(say(ep, "Is it addressed to you?")) == "Sorry?"  # not a word of its own
    ep = episode(ADDRESS, otherwise="Sorry?")
    assert heard(say(ep, "Where to, then?")) == "9 Oak Ave."  # a phrase of two words


def test_asks_regex_searches_the_message_with_a_safe_regex():
    turn = {"id": "zip", "when": {"asks_regex": r"\b(zip|postal) code\b"}, "say": "78701."}
    ep = episode(turn, otherwise="Sorry?")
    assert heard(say(ep, "And the postal code?")) == "78701."
    assert heard(say(ep, "Your zip?")) == "Sorry?"


def test_reply_fires_at_the_agents_nth_message_to_the_user():
    turn = {"id": "second", "when": {"reply": 2}, "say": "Actually, make it 12 Birch Ln."}
    ep = episode(turn, otherwise="Fine.")
    assert heard(say(ep, "Working on it.")) == "Fine."
    call(ep, "get_order", order_id="o-17")  # calls are not messages to the user
    assert heard(say(ep, "Anything else?")) == "Actually, make it 12 Birch Ln."


def test_after_call_fires_when_the_tool_succeeded_since_the_users_previous_reply():
    turn = {"id": "seen", "when": {"after_call": {"tool": "get_order"}}, "say": "Right, that one."}
    ep = episode(turn, otherwise="Hm?", max_replies=None)
    assert heard(say(ep, "Let me look.")) == "Hm?"
    call(ep, "get_order", order_id="o-17")
    assert heard(say(ep, "Found it.")) == "Right, that one."


def test_after_call_with_ok_false_fires_when_the_call_failed():
    turns = (
        {"id": "failed", "when": {"after_call": {"tool": "get_order", "ok": False}}, "say": "Odd."},
        {"id": "worked", "when": {"after_call": {"tool": "get_order"}}, "say": "Good."},
    )
    ep = episode(*turns, otherwise="Hm?")
    call(ep, "get_order", order_id="o-999")  # no such order: the tool fails
    assert heard(say(ep, "No luck.")) == "Odd."
    call(ep, "get_order", order_id="o-17")
    assert heard(say(ep, "Found it.")) == "Good."


def test_after_call_counts_only_calls_since_the_previous_reply():
    turn = {
        "id": "seen",
        "when": {"after_call": {"tool": "get_order"}},
        "say": "Yes.",
        "once": False,
    }
    ep = episode(turn, otherwise="Hm?")
    call(ep, "get_order", order_id="o-17")
    assert heard(say(ep, "Found it.")) == "Yes."
    assert heard(say(ep, "Still there?")) == "Hm?"  # no call since


def test_confirm_true_matches_the_default_confirmation_phrases():
    for question in ("Shall I proceed?", "Do you want me to change it?", "Please confirm."):
        ep = episode({"id": "yes", "when": {"confirm": True}, "say": "Yes."}, otherwise="Hm?")
        assert heard(say(ep, question)) == "Yes.", question
    ep = episode({"id": "yes", "when": {"confirm": True}, "say": "Yes."}, otherwise="Hm?")
    assert heard(say(ep, "I changed it.")) == "Hm?"


def test_confirm_with_phrases_replaces_the_default_list():
    turn = {"id": "yes", "when": {"confirm": ["ok to book"]}, "say": "Yes."}
    ep = episode(turn, otherwise="Hm?")
    assert heard(say(ep, "Shall I proceed?")) == "Hm?"
    assert heard(say(ep, "Is it ok to book it?")) == "Yes."


# -- order, once, stop, otherwise, max_replies ------------------------------------------------


def test_the_first_matching_turn_answers():
    turns = (
        {"id": "first", "when": {"asks": ["address"]}, "say": "First."},
        {"id": "second", "when": {"asks": ["address"]}, "say": "Second."},
    )
    ep = episode(*turns)
    step = say(ep, "Which address?")
    assert (heard(step), step.user.turn) == ("First.", "first")  # type: ignore[union-attr]
    assert heard(say(ep, "And the address again?")) == "Second."  # `first` fired once


def test_a_turn_with_once_false_fires_every_time_it_matches():
    ep = episode({**ADDRESS, "once": False})
    assert heard(say(ep, "The address?")) == "9 Oak Ave."
    assert heard(say(ep, "The address?")) == "9 Oak Ave."


def test_a_stop_turn_says_its_words_and_ends_the_episode():
    bye = {"id": "bye", "when": {"asks": ["anything else"]}, "say": "No, bye.", "stop": True}
    ep = episode(bye)
    step = say(ep, "Anything else?")
    assert step.user is not None and step.user.stop and step.user.text == "No, bye."
    assert ep.done and ep.ended_by == "user_stop"
    assert ep.answer == "Anything else?"  # the message that got no further reply


def test_otherwise_stop_ends_the_conversation_when_no_turn_fires():
    ep = episode(ADDRESS)  # otherwise: stop (the default)
    step = say(ep, "All done.")
    assert step.user is not None and step.user.stop and step.user.text is None
    assert ep.done and ep.ended_by == "user_stop" and ep.answer == "All done."


def test_otherwise_a_message_is_sent_when_no_turn_fires():
    ep = episode(ADDRESS, otherwise="I don't follow.")
    step = say(ep, "All done.")
    assert heard(step) == "I don't follow." and step.user.turn is None  # type: ignore[union-attr]
    assert not ep.done


def test_max_replies_caps_what_the_user_says_then_it_stops():
    ep = episode({**ADDRESS, "once": False}, max_replies=2)
    assert heard(say(ep, "Address?")) == "9 Oak Ave."
    assert heard(say(ep, "Address?")) == "9 Oak Ave."
    step = say(ep, "Address?")
    assert step.user is not None and step.user.stop and ep.ended_by == "user_stop"


# -- the contract ---------------------------------------------------------------------------


def test_the_scripted_user_is_registered_and_is_a_simulated_user():
    task = compiled()
    assert "scripted" in USERS
    user = make_user(task)
    assert isinstance(user, ScriptedUser) and isinstance(user, SimulatedUser)
    assert user.kind == "scripted" and user.settings() == {"kind": "scripted"}


def test_a_fork_goes_on_independently():
    task = compiled()
    user = make_user(task)
    view = UserView(task, "What address?", (("user", task.user_command),), (), 1)
    twin = user.fork()
    assert user.reply(view).turn == "give_address"
    assert twin.reply(view).turn == "give_address"  # the fork had not fired it
    assert user.reply(view).turn is None  # fired once already


def test_an_episode_without_a_user_is_unchanged_by_the_user():
    ep = Episode(compiled().model_copy(update={"user": None}), "openai")
    step = say(ep, "Done.")
    assert step.user is None and ep.done and ep.ended_by == "answer"
    assert ep.record()["user"] is None
