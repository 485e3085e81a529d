from ocrlib.recipe import IMAGES_PER_LARGE_RUN, LARGE_SET, SMALL_SET, recipe_for

SIZES = [100, 1_040, SMALL_SET - 1, SMALL_SET, 8_000, LARGE_SET - 1, LARGE_SET, 16_000, 20_000, 48_000, 200_000]


def test_a_small_real_set_keeps_the_recipe_that_left_ctcs_blank_start_on_1040_captchas():
    recipe = recipe_for(1_040)
    assert (recipe.batch_size, recipe.schedule, recipe.patience) == (8, "plateau", 15)
    assert recipe.epochs >= 50  # early stopping, not the budget, ends a small run


def test_larger_sets_get_batches_no_smaller_and_epochs_no_more():
    recipes = [recipe_for(n) for n in SIZES]
    assert all(a.batch_size <= b.batch_size and a.epochs >= b.epochs for a, b in zip(recipes, recipes[1:]))


def test_a_large_set_is_a_fixed_budget_of_about_the_same_images_with_a_cosine_decay():
    for n in (LARGE_SET, 16_000, 20_000, 48_000):
        recipe = recipe_for(n)
        assert recipe.schedule == "cosine" and recipe.patience >= recipe.epochs  # no early stop cuts the decay short
        assert 0.8 < recipe.epochs * n / IMAGES_PER_LARGE_RUN < 1.25, n
    assert recipe_for(20_000).epochs == 8
    assert recipe_for(10**6).epochs >= 3


def test_open_ended_runs_stop_early_and_fine_tuning_a_small_set_trains_no_longer_than_from_scratch():
    for n in SIZES:
        recipe, tuned = recipe_for(n), recipe_for(n, fine_tuning=True)
        if recipe.schedule == "plateau":
            assert recipe.patience < recipe.epochs
        assert tuned.epochs <= recipe.epochs and tuned.patience <= recipe.patience
    assert recipe_for(1_040, fine_tuning=True).epochs < recipe_for(1_040).epochs


def test_the_recipe_reads_as_the_run_will_go():
    assert str(recipe_for(20_000)) == "batch 32, 8 epochs, cosine, shortcut"
    assert str(recipe_for(1_040)) == "batch 8, up to 100 epochs, plateau"


def test_generated_sets_get_the_shortcut_and_sets_of_real_images_do_not():
    # Generated sets are varied; the plain CRNN can spend much of their fixed budget in CTC's blank start.
    assert [recipe_for(n).shortcut for n in (1_040, 8_000, LARGE_SET - 1, LARGE_SET, 200_000)] == [
        False, False, False, True, True]
    assert not recipe_for(1_040, fine_tuning=True).shortcut
