"""Identity numbers are checked before anything is stored."""
import random

import pytest

from hall.domain.applicant import check_applicant, credit_code_valid, resident_id_valid
from hall.domain.errors import InvalidArgument
from hall.tools.sample import credit_code, resident_id


def test_a_resident_id_with_a_valid_check_digit_passes():
    assert resident_id_valid("11010519491231002X")
    assert resident_id_valid("11010519491231002x")


@pytest.mark.parametrize("number", ["110105194912310021", "11010519491331002X", "1101051949123100", "A1010519491231002X"])
def test_a_wrong_resident_id_fails(number):
    assert not resident_id_valid(number)


def test_a_unified_social_credit_code_with_a_valid_check_character_passes():
    assert credit_code_valid("91350100M000100Y43")
    assert not credit_code_valid("91350100M000100Y44")
    assert not credit_code_valid("91350100M000100YI3")  # I is not in the alphabet


def test_generated_samples_are_valid():
    rng = random.Random(7)
    assert all(resident_id_valid(resident_id(rng)) for _ in range(200))
    assert all(credit_code_valid(credit_code(rng)) for _ in range(200))


def test_a_company_names_its_legal_representative():
    with pytest.raises(InvalidArgument, match="legal representative"):
        check_applicant("company", "济南某某有限公司", "91350100M000100Y43", "")


def test_an_applicant_is_a_person_or_a_company():
    with pytest.raises(InvalidArgument, match="person or a company"):
        check_applicant("robot", "R2", "x")
