

def test_bands_of_many_scores_match_one_at_a_time():
    import numpy as np

    from app.analysis.rules import RagBands

    bands = RagBands(green=0.8, amber=0.5)
    scores = np.array([0.0, 0.49999, 0.5, 0.79, 0.8, 1.0, np.nan])
    assert list(bands.bands_of(scores)) == [bands.band(float(s)) for s in scores]
