"""The reason a step back records: thumbs x 8 (bench/learning_effect.py) stepped back from 16 to 10 and
read as a probe's rise; it was a looping re-ask. The metrics say which."""

from desktop_app.core import train_verdict


def test_a_step_back_names_a_refused_answer_apart_from_a_fact_that_went_wrong():
    assert train_verdict._clean_why({"reask_restates_after": 1}, {"degenerate"}) == "degenerate"
    assert train_verdict._clean_why({"reask_restates_before": 0, "reask_restates_after": 1}, set()) == "restated"
    # neither degenerate nor more restated: only a dropped fact (step_back_dropped) steps back then
    assert train_verdict._clean_why({"reask_restates_before": 1, "reask_restates_after": 1}, set()) == "dropped"
