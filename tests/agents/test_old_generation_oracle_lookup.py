"""`faultproof challenger` without --oracle on an October-2024 factory: the oracle is read from
`gameImpls(type).vm().oracle()`, as op-challenger reads it from the game's VM."""

from __future__ import annotations

from old_generation_system import deploy_old_implementation
from test_old_generation_deploy import NEW_TYPE, PRESTATE, old_world, params, same

from faultproof.agents.cli import oracle_of_game_type
from faultproof.chain import EmbeddedChain
from faultproof.contracts.deploy import deploy_game_type


def test_oracle_of_an_old_factorys_game_type() -> None:
    chain = EmbeddedChain()
    owner, factory, weth, registry = old_world(chain)
    first = deploy_game_type(chain, params(), factory=factory.address)
    impl = deploy_old_implementation(chain, NEW_TYPE, PRESTATE, first.step_contract,
                                     weth.address, registry.address, owner)
    deploy_game_type(chain, params(), factory=factory.address, implementation=impl.address)
    found = oracle_of_game_type(chain, factory.address, (NEW_TYPE,))
    assert same(found, first.preimage_oracle)
