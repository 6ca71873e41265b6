"""Measuring quality: the classifier's accuracy, the crisis detector's recall and false
positives, and whole conversations (the masking-BERT paper's emotion consistency, reply
kinds, a review sheet for human judgement). `emotion-chat evaluate ...` runs them."""
