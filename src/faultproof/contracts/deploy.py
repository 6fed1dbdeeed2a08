"""``faultproof deploy``: register a VM as a new dispute game type (spec digest §7).

Registering a VM is two on-chain facts: its step contract exists (bound to the shared
PreimageOracle), and the DisputeGameFactory maps a new game type to a FaultDisputeGame
implementation (each game is a minimal-proxy clone of it) with that step contract and the VM's absolute prestate in its game args (`setImplementation`),
plus an init bond (`setInitBond`). `deploy_game_type` does exactly that, either into an existing
factory (`factory=`) or into a fresh full system (factory, AnchorStateRegistry, DelayedWETH)
that it deploys first. The command runs it on the embedded chain (a dry run that reports
addresses and gas) or against a JSON-RPC node, signing with ``--private-key`` when given.

An existing factory is one of two generations, told apart by probing `gameArgs(uint32)`:
ours maps a type to our FaultDisputeGame plus its game args with
`setImplementation(uint32,address,bytes)`; Optimism's October-2024 DisputeGameFactory
(1.0.1-beta.3) has only `setImplementation(uint32,address)` and clones a *full*
FaultDisputeGame 1.3.x implementation whose configuration is its constructor. faultproof cannot
build that implementation (ours takes its configuration from game args), so for such a factory
`deploy_game_type` either deploys the step contract alone (the `vm` to construct Optimism's
FaultDisputeGame 1.3.x with) or, given that implementation, checks and registers it
(`register_implementation`):

    faultproof deploy --game-type 7 --vm riscv64 --prestate prestate.json --anchor-root 0x..
    faultproof deploy --game-type 7 --vm riscv64 --prestate program.elf \\
        --rpc-url http://127.0.0.1:8545 --private-key 0x.. --factory 0x.. --oracle 0x..
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from faultproof.cli_errors import DURATION_SECONDS
from faultproof.errors import FaultproofError

if TYPE_CHECKING:
    from faultproof.chain.base import Chain

# The chain, ABI and contract modules are imported where they are used: this module is imported
# by every `faultproof` invocation (to register the command), which should stay fast.

#: Mainnet values (spec digest §0), the defaults of every parameter below.
MAINNET_MAX_GAME_DEPTH = 73
MAINNET_SPLIT_DEPTH = 30
MAINNET_CLOCK_EXTENSION = 10_800
MAINNET_MAX_CLOCK_DURATION = 302_400
MAINNET_CHALLENGE_PERIOD = 86_400
MAINNET_MIN_PROPOSAL_SIZE = 126_000
MAINNET_WITHDRAWAL_DELAY = 604_800
MAINNET_FINALITY_DELAY = 302_400
GAME_ARGS_TYPES = ["bytes32", "uint256", "uint256", "uint64", "uint64", "address", "address",
                   "address", "uint256"]
"""Layout of `gameArgs[type]` (see `encode_game_args`)."""
ELF_MAGIC = b"\x7fELF"


class DeployError(FaultproofError):
    """The deployment cannot go ahead as asked (missing address, bad prestate, wrong owner)."""


@dataclass(frozen=True)
class GameTypeParams:
    """What a new game type is: its VM, its absolute prestate and its game parameters."""

    game_type: int
    isa: str
    absolute_prestate: bytes
    max_game_depth: int = MAINNET_MAX_GAME_DEPTH
    split_depth: int = MAINNET_SPLIT_DEPTH
    clock_extension: int = MAINNET_CLOCK_EXTENSION
    max_clock_duration: int = MAINNET_MAX_CLOCK_DURATION
    l2_chain_id: int = 10
    init_bond: int | None = None
    """Root bond charged by the factory; None: the depth-0 bond of the schedule (0.08 ETH at 73)."""

    def bond(self) -> int:
        from faultproof.game.bonds import required_bond_at_depth

        return required_bond_at_depth(0, self.max_game_depth) if self.init_bond is None \
            else self.init_bond


@dataclass(frozen=True)
class SystemParams:
    """Only used when a fresh system is deployed (no existing factory)."""

    anchor_root: bytes = bytes(32)
    anchor_block: int = 0
    finality_delay: int = MAINNET_FINALITY_DELAY
    withdrawal_delay: int = MAINNET_WITHDRAWAL_DELAY
    challenge_period: int = MAINNET_CHALLENGE_PERIOD
    """PreimageOracle challenge period, when a new oracle is deployed."""
    min_proposal_size: int = MAINNET_MIN_PROPOSAL_SIZE


@dataclass
class Deployment:
    """Addresses written by one `deploy_game_type` run (printed as JSON by the command)."""

    chain_id: int
    game_type: int
    vm: str
    absolute_prestate: str
    preimage_oracle: str
    step_contract: str
    fault_dispute_game_blueprint: str
    dispute_game_factory: str
    anchor_state_registry: str
    delayed_weth: str
    init_bond: int
    max_game_depth: int
    split_depth: int
    clock_extension: int
    max_clock_duration: int
    l2_chain_id: int
    deployed: list[str] = field(default_factory=list)
    """Which of the contracts above this run deployed (the rest were reused)."""
    gas_used: dict[str, int] = field(default_factory=dict)
    factory_generation: str = "game-args"
    """`game-args` (ours: setImplementation(uint32,address,bytes)) or `implementation`
    (Optimism's 1.0.x factory: setImplementation(uint32,address), a full implementation)."""
    fault_dispute_game_implementation: str = ""
    """Older factories: the full FaultDisputeGame registered (empty: none yet)."""
    registered: bool = True
    """False when only the step contract was deployed (an older factory, no implementation)."""
    next_step: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def check_game_params(params: GameTypeParams, challenge_period: int) -> None:
    """The checks `initialize` makes (§2.2), before anything is sent: a misconfigured game type
    would only fail later, on the first `create`. Raises the engine's named errors."""
    from faultproof.game.engine import GameConfig

    GameConfig(params.max_game_depth, params.split_depth, params.clock_extension,
               params.max_clock_duration, params.absolute_prestate, lambda s, p, c: b"",
               challenge_period, params.l2_chain_id)
    if len(params.absolute_prestate) != 32:
        raise DeployError(f"absolute prestate must be 32 bytes, got {len(params.absolute_prestate)}")
    if not 0 <= params.game_type < 2**32:
        raise DeployError(f"game type {params.game_type} is not a uint32")


def _address(value: str) -> str:
    from eth_utils.address import to_checksum_address

    try:
        return to_checksum_address(value)
    except ValueError:
        raise DeployError(f"{value!r} is not an address") from None


def check_address(value: str, flag: str) -> str:
    """``value`` as a checksummed address, or a one-line error naming ``flag`` (at start-up, so
    an agent is not started only to fail on every poll)."""
    text = value.strip()
    body = text.removeprefix("0x").removeprefix("0X")
    if len(body) != 40 or not all(c in "0123456789abcdefABCDEF" for c in body):
        raise DeployError(f"{flag} {value!r} is not an address (0x and 40 hex digits)")
    return _address("0x" + body)


CONTRACT_PROBES: dict[str, tuple[str, tuple[object, ...]]] = {
    "DisputeGameFactory": ("gameCount", ()),
    "PreimageOracle": ("challengePeriod", ()),
}
"""A view each kind of contract answers (and other contracts do not), called once at start-up."""


def require_contract(chain: Chain, address: str, flag: str, kind: str) -> None:
    """Refuse at start-up an address without code or one that does not answer like ``kind``.

    Without this an EOA or a wrong contract surfaces much later as an ABI decoding error
    (eth_abi's InsufficientDataBytes on empty return data), once per poll, forever.
    """
    from faultproof.contracts.compiler import load_contract
    from faultproof.contracts.dispute import artifact

    try:
        code = chain.get_code(address)
    except FaultproofError as exc:
        raise DeployError(f"{flag} {address}: cannot read its code: {exc}") from None
    if not code:
        raise DeployError(f"{flag} {address} has no code on this chain (chain id "
                          f"{chain.chain_id}): not a {kind}; check the address and the RPC URL")
    fn, args = CONTRACT_PROBES[kind]
    abi = (load_contract("oracle/PreimageOracle.vy") if kind == "PreimageOracle"
           else artifact(kind))
    try:
        chain.at(address, abi).call(fn, *args)
    except Exception as exc:  # a revert, empty or short return data: not that contract
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DeployError(f"{flag} {address} does not answer like a {kind} ({fn}() failed: "
                          f"{reason})") from None


GAME_ARGS = "game-args"
IMPLEMENTATION = "implementation"
OLD_FACTORY_ABI: list[dict[str, object]] = [
    {"type": "function", "name": "setImplementation", "stateMutability": "nonpayable",
     "inputs": [{"name": "_gameType", "type": "uint32"}, {"name": "_impl", "type": "address"}],
     "outputs": []},
    {"type": "function", "name": "setInitBond", "stateMutability": "nonpayable",
     "inputs": [{"name": "_gameType", "type": "uint32"}, {"name": "_initBond", "type": "uint256"}],
     "outputs": []},
    {"type": "function", "name": "gameImpls", "stateMutability": "view",
     "inputs": [{"name": "_gameType", "type": "uint32"}],
     "outputs": [{"name": "", "type": "address"}]},
    {"type": "function", "name": "owner", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "address"}]},
]
"""What `deploy` calls on Optimism's DisputeGameFactory 1.0.1-beta.3 (spec digest §3)."""


def factory_generation(chain: Chain, factory: str) -> str:
    """:data:`GAME_ARGS` if the factory has `gameArgs(uint32)` (ours: implementation + game
    args), else :data:`IMPLEMENTATION` (Optimism's October 2024: full implementations).

    Only a revert counts as "absent" (Solidity's answer to an unknown selector); an RPC error
    propagates, so a flaky node never sends a transaction of the wrong generation.
    """
    from faultproof.chain import ContractReverted
    from faultproof.contracts.dispute import artifact

    try:
        chain.at(factory, artifact("DisputeGameFactory")).call("gameArgs", 0)
    except ContractReverted:
        return IMPLEMENTATION
    return GAME_ARGS


def _gas(chain: Chain, name: str, into: dict[str, int]) -> None:
    receipt = chain.last_deploy_receipt
    if receipt is not None:
        into[name] = receipt.gas_used


def deploy_game_type(
    chain: Chain,
    params: GameTypeParams,
    *,
    factory: str | None = None,
    oracle: str | None = None,
    weth: str | None = None,
    anchor_state_registry: str | None = None,
    template_game_type: int | None = None,
    system: SystemParams | None = None,
    sender: str | None = None,
    respect: bool = False,
    implementation: str | None = None,
) -> Deployment:
    """Deploy what game type `params.game_type` needs and register it in the factory.

    With `factory` the type is added to that factory (the sender must be its owner); the WETH
    escrow and the anchor registry come from `weth`/`anchor_state_registry` or else from the
    game args of `template_game_type`. Without `factory` a fresh factory, DelayedWETH and
    AnchorStateRegistry (respecting the new type, anchored at `system.anchor_root`) are deployed.
    A PreimageOracle is deployed unless `oracle` is given. With `respect` (an existing
    registry; a fresh one always respects the new type) the sender, as the registry's
    guardian, makes the new type the respected one: only respected games can move the anchor.

    An older factory (Optimism's 1.0.x, see the module docstring) goes to
    `_deploy_for_old_factory`: `implementation` is then the full FaultDisputeGame to register.
    """
    from eth_abi.abi import decode as abi_decode
    from eth_utils.address import to_checksum_address

    from faultproof.contracts.compiler import load_contract
    from faultproof.contracts.dispute import DisputeConfig, artifact, encode_game_args
    from faultproof.vm import get_isa

    isa = get_isa(params.isa)
    system = system or SystemParams()
    sender = sender or chain.default_sender
    factory, oracle, weth, anchor_state_registry = (
        None if a is None else _address(a)
        for a in (factory, oracle, weth, anchor_state_registry)
    )
    gas: dict[str, int] = {}
    deployed: list[str] = []
    if factory is not None and factory_generation(chain, factory) == IMPLEMENTATION:
        return _deploy_for_old_factory(chain, params, factory, sender, oracle=oracle,
                                       template_game_type=template_game_type, system=system,
                                       respect=respect, implementation=implementation)
    if implementation is not None:
        raise DeployError("--implementation is for older factories (setImplementation(uint32,"
                          "address)); this factory takes our game and its game args, which "
                          "deploy builds itself")

    if factory is None and system.anchor_root == bytes(32):
        raise DeployError("a fresh system needs its starting anchor: pass --anchor-root "
                          "(the output root at --anchor-block)")
    if factory is not None:
        factory_c = chain.at(factory, artifact("DisputeGameFactory"))
        owner = str(factory_c.call("owner"))
        if owner.lower() != sender.lower():
            raise DeployError(f"factory {factory} is owned by {owner}, not by the sender {sender}; "
                              "setImplementation would revert BadAuth()")
        if weth is None or anchor_state_registry is None:
            if template_game_type is None:
                raise DeployError("adding a game type to an existing factory needs --weth and "
                                  "--anchor-state-registry, or --template-game-type to copy them")
            raw = factory_c.call("gameArgs", template_game_type)
            if len(raw) != 288:
                raise DeployError(f"factory has no game args for template game type "
                                  f"{template_game_type}")
            args = abi_decode(GAME_ARGS_TYPES, raw)
            weth = weth or to_checksum_address(args[6])
            anchor_state_registry = anchor_state_registry or to_checksum_address(args[7])
        if respect:
            assert anchor_state_registry is not None
            guardian = str(chain.at(anchor_state_registry, artifact("AnchorStateRegistry"))
                           .call("guardian"))
            if guardian.lower() != sender.lower():
                raise DeployError(f"--respect: registry {anchor_state_registry} has guardian "
                                  f"{guardian}, not the sender {sender}")
        if oracle is None and template_game_type is not None:
            vm_of_template = str(abi_decode(GAME_ARGS_TYPES,
                                            factory_c.call("gameArgs", template_game_type))[5])
            oracle = to_checksum_address(chain.at(vm_of_template, load_contract(
                f"step/{isa.step_contract}.vy")).call("oracle"))

    if oracle is None:
        oracle_c = chain.deploy_contract(load_contract("oracle/PreimageOracle.vy"),
                                         system.min_proposal_size, system.challenge_period,
                                         sender=sender)
        _gas(chain, "PreimageOracle", gas)
        deployed.append("preimage_oracle")
    else:
        oracle_c = chain.at(oracle, load_contract("oracle/PreimageOracle.vy"))
    challenge_period = int(oracle_c.call("challengePeriod"))
    check_game_params(params, challenge_period)

    step = chain.deploy_contract(load_contract(f"step/{isa.step_contract}.vy"), oracle_c.address,
                                 sender=sender)
    _gas(chain, isa.step_contract, gas)
    deployed.append("step_contract")

    if factory is None:
        factory_c = chain.deploy_contract(artifact("DisputeGameFactory"), sender, sender=sender)
        _gas(chain, "DisputeGameFactory", gas)
        weth_c = chain.deploy_contract(artifact("DelayedWETH"), system.withdrawal_delay, sender,
                                       sender=sender)
        _gas(chain, "DelayedWETH", gas)
        asr_c = chain.deploy_contract(
            artifact("AnchorStateRegistry"), factory_c.address, system.anchor_root,
            system.anchor_block, params.game_type, system.finality_delay, sender, sender=sender,
        )
        _gas(chain, "AnchorStateRegistry", gas)
        deployed += ["dispute_game_factory", "delayed_weth", "anchor_state_registry"]
        weth, anchor_state_registry = weth_c.address, asr_c.address
    assert weth is not None and anchor_state_registry is not None

    # The game implementation the factory clones for every game (the "blueprint" names of the
    # output are kept from when games were blueprint copies).
    blueprint = chain.deploy_contract(artifact("FaultDisputeGame"), sender=sender).address
    _gas(chain, "FaultDisputeGame blueprint", gas)
    deployed.append("fault_dispute_game_blueprint")
    cfg = DisputeConfig(
        game_type=params.game_type, absolute_prestate=params.absolute_prestate,
        max_game_depth=params.max_game_depth, split_depth=params.split_depth,
        clock_extension=params.clock_extension, max_clock_duration=params.max_clock_duration,
        l2_chain_id=params.l2_chain_id,
    )
    game_args = encode_game_args(cfg, step.address, weth, anchor_state_registry)
    receipt = factory_c.transact("setImplementation", params.game_type, blueprint,
                                          game_args, sender=sender)
    gas["setImplementation"] = receipt.gas_used
    receipt = factory_c.transact("setInitBond", params.game_type, params.bond(), sender=sender)
    gas["setInitBond"] = receipt.gas_used
    if respect and "anchor_state_registry" not in deployed:
        asr = chain.at(anchor_state_registry, artifact("AnchorStateRegistry"))
        receipt = asr.transact("setRespectedGameType", params.game_type, sender=sender)
        gas["setRespectedGameType"] = receipt.gas_used
    return Deployment(
        chain_id=chain.chain_id, game_type=params.game_type, vm=isa.name,
        absolute_prestate="0x" + params.absolute_prestate.hex(),
        preimage_oracle=oracle_c.address, step_contract=step.address,
        fault_dispute_game_blueprint=blueprint, dispute_game_factory=factory_c.address,
        anchor_state_registry=anchor_state_registry, delayed_weth=weth,
        init_bond=params.bond(), max_game_depth=params.max_game_depth,
        split_depth=params.split_depth, clock_extension=params.clock_extension,
        max_clock_duration=params.max_clock_duration, l2_chain_id=params.l2_chain_id,
        deployed=deployed, gas_used=gas,
    )


# -- Optimism's October-2024 factory -----------------------------------------------------------


def _deploy_for_old_factory(chain: Chain, params: GameTypeParams, factory: str, sender: str, *,
                            oracle: str | None, template_game_type: int | None,
                            system: SystemParams, respect: bool,
                            implementation: str | None) -> Deployment:
    """Without `implementation`: deploy the step contract only (registered=False) and say what
    to do next. With it: check the implementation and register it with its init bond."""
    from faultproof.contracts.compiler import load_contract
    from faultproof.contracts.dispute import artifact
    from faultproof.vm import get_isa

    isa = get_isa(params.isa)
    if respect:
        raise DeployError("--respect: an October-2024 system keeps its respected game type in "
                          "OptimismPortal2 (setRespectedGameType by the guardian), not in the "
                          "registry; set it there")
    factory_c = chain.at(factory, OLD_FACTORY_ABI)
    owner = str(factory_c.call("owner"))
    if owner.lower() != sender.lower():
        raise DeployError(f"factory {factory} is owned by {owner}, not by the sender {sender}; "
                          "setImplementation would revert")
    fdg_abi = artifact("FaultDisputeGame").abi
    step_abi = load_contract(f"step/{isa.step_contract}.vy")
    gas: dict[str, int] = {}
    if implementation is not None:
        return register_implementation(chain, params, factory, _address(implementation), sender)
    if oracle is None and template_game_type is not None:
        template = str(factory_c.call("gameImpls", template_game_type))
        if int(template, 16) == 0:
            raise DeployError(f"factory has no implementation for template game type "
                              f"{template_game_type}")
        vm_of_template = str(chain.at(template, fdg_abi).call("vm"))
        oracle = str(chain.at(vm_of_template, step_abi).call("oracle"))
    deployed: list[str] = []
    if oracle is None:
        oracle_c = chain.deploy_contract(load_contract("oracle/PreimageOracle.vy"),
                                         system.min_proposal_size, system.challenge_period,
                                         sender=sender)
        _gas(chain, "PreimageOracle", gas)
        deployed.append("preimage_oracle")
    else:
        oracle_c = chain.at(_address(oracle), load_contract("oracle/PreimageOracle.vy"))
    check_game_params(params, int(oracle_c.call("challengePeriod")))
    step = chain.deploy_contract(step_abi, oracle_c.address, sender=sender)
    _gas(chain, isa.step_contract, gas)
    deployed.append("step_contract")
    return Deployment(
        chain_id=chain.chain_id, game_type=params.game_type, vm=isa.name,
        absolute_prestate="0x" + params.absolute_prestate.hex(),
        preimage_oracle=oracle_c.address, step_contract=step.address,
        fault_dispute_game_blueprint="", dispute_game_factory=factory,
        anchor_state_registry="", delayed_weth="", init_bond=params.bond(),
        max_game_depth=params.max_game_depth, split_depth=params.split_depth,
        clock_extension=params.clock_extension, max_clock_duration=params.max_clock_duration,
        l2_chain_id=params.l2_chain_id, deployed=deployed, gas_used=gas,
        factory_generation=IMPLEMENTATION, registered=False,
        next_step=(f"factory {factory} is Optimism's October-2024 DisputeGameFactory "
                   "(setImplementation(uint32,address)): deploy Optimism's FaultDisputeGame "
                   f"1.3.x with gameType {params.game_type}, absolutePrestate "
                   f"0x{params.absolute_prestate.hex()} and vm {step.address}, then run deploy "
                   "again with --implementation <its address>"),
    )


def register_implementation(chain: Chain, params: GameTypeParams, factory: str,
                             implementation: str, sender: str) -> Deployment:
    """Register a full FaultDisputeGame 1.3.x implementation with an older factory, after
    checking it is one for this game type and prestate whose `vm` is a step contract bound to
    an oracle (a wrong one would only show on the first `create` or the first step)."""
    from faultproof.contracts.compiler import load_contract
    from faultproof.contracts.dispute import artifact
    from faultproof.vm import get_isa

    isa = get_isa(params.isa)
    if not chain.get_code(implementation):
        raise DeployError(f"--implementation {implementation} has no code on this chain")
    impl = chain.at(implementation, artifact("FaultDisputeGame").abi)
    try:
        game_type = int(impl.call("gameType"))
        prestate = bytes(impl.call("absolutePrestate"))
        vm = str(impl.call("vm"))
        config = [int(impl.call(n)) for n in ("maxGameDepth", "splitDepth", "clockExtension",
                                              "maxClockDuration", "l2ChainId")]
        weth, registry = str(impl.call("weth")), str(impl.call("anchorStateRegistry"))
        oracle = str(chain.at(vm, load_contract(f"step/{isa.step_contract}.vy")).call("oracle"))
    except Exception as exc:  # a revert, empty or short return data: not such a contract
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DeployError(f"--implementation {implementation} does not answer like a "
                          f"FaultDisputeGame with a step contract as vm ({first})") from None
    if game_type != params.game_type:
        raise DeployError(f"--implementation {implementation} is for game type {game_type}, "
                          f"not {params.game_type}")
    if prestate != params.absolute_prestate:
        raise DeployError(f"--implementation {implementation} has absolute prestate "
                          f"0x{prestate.hex()}, not 0x{params.absolute_prestate.hex()}")
    factory_c = chain.at(factory, OLD_FACTORY_ABI)
    gas: dict[str, int] = {}
    receipt = factory_c.transact("setImplementation", params.game_type, implementation,
                                 sender=sender)
    gas["setImplementation"] = receipt.gas_used
    depth, split, extension, max_clock, l2_chain_id = config
    # The default root bond follows the implementation's depth, as its getRequiredBond does.
    bond = params.init_bond if params.init_bond is not None else replace(
        params, max_game_depth=depth).bond()
    receipt = factory_c.transact("setInitBond", params.game_type, bond, sender=sender)
    gas["setInitBond"] = receipt.gas_used
    return Deployment(
        chain_id=chain.chain_id, game_type=params.game_type, vm=isa.name,
        absolute_prestate="0x" + prestate.hex(), preimage_oracle=_address(oracle),
        step_contract=_address(vm), fault_dispute_game_blueprint="",
        dispute_game_factory=factory, anchor_state_registry=_address(registry),
        delayed_weth=_address(weth), init_bond=bond, max_game_depth=depth,
        split_depth=split, clock_extension=extension, max_clock_duration=max_clock,
        l2_chain_id=l2_chain_id, deployed=[], gas_used=gas, factory_generation=IMPLEMENTATION,
        fault_dispute_game_implementation=implementation,
    )


# -- prestate ---------------------------------------------------------------------------------


def absolute_prestate_of(isa_name: str, path: Path) -> bytes:
    """State hash of a VM state file, or of an ELF loaded into the VM (its initial state)."""
    from faultproof.vm import get_isa

    if not path.is_file():
        raise DeployError(f"prestate file {path} does not exist")
    isa = get_isa(isa_name)
    with path.open("rb") as f:
        magic = f.read(4)
    vm = isa.load_elf(path) if magic == ELF_MAGIC else isa.load_state(path)
    state_hash: bytes = vm.state_hash()
    return state_hash


# -- signing JSON-RPC chain -------------------------------------------------------------------


def keyed_rpc_chain(url: str, private_key: str, *, receipt_timeout: float = 120.0) -> Chain:
    """A chain whose only account is `private_key` (`faultproof.chain.rpc.SigningRpcChain`):
    transactions are signed here, so the node needs no unlocked accounts (any L1 or testnet).
    Reverting transactions are caught by the dry run and never sent (they would burn gas).
    """
    from faultproof.chain.errors import InvalidPrivateKey
    from faultproof.chain.rpc import SigningRpcChain

    try:
        return SigningRpcChain(
            url, private_key, freeze_time=False, receipt_timeout=receipt_timeout
        )
    except InvalidPrivateKey as exc:
        raise DeployError(f"--private-key: {exc}") from None


# -- the command ------------------------------------------------------------------------------


def _hex32(value: str | None, what: str) -> bytes | None:
    if value is None:
        return None
    raw = value[2:] if value.startswith("0x") else value
    try:
        out = bytes.fromhex(raw)
    except ValueError:
        raise DeployError(f"{what} {value!r} is not hex") from None
    if len(out) != 32:
        raise DeployError(f"{what} must be 32 bytes, got {len(out)}")
    return out


def _isa_for(vm: str | None, game_type: int) -> str:
    from faultproof.vm import all_isas

    if vm is not None:
        from faultproof.cli import TYPE_ALIASES

        return TYPE_ALIASES.get(vm, vm)
    matches = [isa.name for isa in all_isas() if isa.game_type == game_type]
    if not matches:
        known = ", ".join(f"{i.name} ({i.game_type})" for i in all_isas())
        raise DeployError(f"no VM registers game type {game_type}; pass --vm (one of {known})")
    return matches[0]


@click.command("deploy")
@click.option("--game-type", type=int, required=True, help="game type id to register (uint32)")
@click.option("--vm", "vm_name", default=None,
              help="VM type whose step contract the game uses (default: the VM registered "
                   "with this game type): mips32, riscv64, riscv64c")
@click.option("--prestate", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="absolute prestate: a VM state file, or an ELF (hashed after loading)")
@click.option("--absolute-prestate", "prestate_hash", default=None,
              help="absolute prestate hash (0x + 32 bytes) instead of --prestate")
@click.option("--max-game-depth", default=MAINNET_MAX_GAME_DEPTH, show_default=True)
@click.option("--split-depth", default=MAINNET_SPLIT_DEPTH, show_default=True)
@click.option("--clock-extension", type=DURATION_SECONDS, default=MAINNET_CLOCK_EXTENSION,
              show_default=True, help="seconds, or e.g. 3h")
@click.option("--max-clock-duration", type=DURATION_SECONDS, default=MAINNET_MAX_CLOCK_DURATION,
              show_default=True, help="seconds, or e.g. 84h")
@click.option("--l2-chain-id", default=10, show_default=True)
@click.option("--init-bond", type=int, default=None,
              help="root bond in wei (default: the depth-0 bond of the schedule)")
@click.option("--rpc-url", "--l1-eth-rpc", "rpc_url", default=None, envvar="FAULTPROOF_RPC_URL",
              help="JSON-RPC node (env FAULTPROOF_RPC_URL; default: the embedded chain, a dry "
                   "run that reports addresses and gas)")
@click.option("--private-key", default=None, envvar="FAULTPROOF_PRIVATE_KEY",
              help="sign transactions with this key (env FAULTPROOF_PRIVATE_KEY); without it "
                   "the node's first unlocked account sends them")
@click.option("--factory", "--game-factory-address", "factory", default=None,
              envvar="FAULTPROOF_FACTORY", help="(env FAULTPROOF_FACTORY) existing DisputeGameFactory to register in (default: deploy a fresh system)")
@click.option("--oracle", default=None, help="existing PreimageOracle to reuse")
@click.option("--weth", default=None, help="existing DelayedWETH (with --factory)")
@click.option("--anchor-state-registry", default=None,
              help="existing AnchorStateRegistry (with --factory)")
@click.option("--template-game-type", type=int, default=None,
              help="with --factory: copy WETH, registry and oracle from this type's game args")
@click.option("--anchor-root", default=None,
              help="fresh system: starting anchor output root (0x + 32 bytes)")
@click.option("--anchor-block", default=0, show_default=True,
              help="fresh system: L2 block of the anchor")
@click.option("--finality-delay", type=DURATION_SECONDS, default=MAINNET_FINALITY_DELAY,
              show_default=True, help="seconds, or e.g. 84h")
@click.option("--withdrawal-delay", type=DURATION_SECONDS, default=MAINNET_WITHDRAWAL_DELAY,
              show_default=True, help="seconds, or e.g. 168h")
@click.option("--challenge-period", type=DURATION_SECONDS, default=MAINNET_CHALLENGE_PERIOD,
              show_default=True, help="new PreimageOracle's challenge period: seconds, or e.g. 24h")
@click.option("--min-proposal-size", default=MAINNET_MIN_PROPOSAL_SIZE, show_default=True,
              help="new PreimageOracle's minimum large-preimage proposal size, bytes")
@click.option("--respect", is_flag=True,
              help="with --factory: make the new type the registry's respected game type "
                   "(sender must be the guardian); a fresh system always respects it")
@click.option("--implementation", default=None,
              help="older factories only (Optimism's October-2024 DisputeGameFactory, "
                   "setImplementation(uint32,address)): the full FaultDisputeGame 1.3.x to "
                   "register; its game parameters come from it. Without it such a factory gets "
                   "only the step contract, to construct that implementation with")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="also write the JSON here")
def deploy_command(game_type: int, vm_name: str | None, prestate: Path | None,
                   prestate_hash: str | None, max_game_depth: int, split_depth: int,
                   clock_extension: int, max_clock_duration: int, l2_chain_id: int,
                   init_bond: int | None, rpc_url: str | None, private_key: str | None,
                   factory: str | None, oracle: str | None, weth: str | None,
                   anchor_state_registry: str | None, template_game_type: int | None,
                   anchor_root: str | None, anchor_block: int, finality_delay: int,
                   withdrawal_delay: int, challenge_period: int, min_proposal_size: int,
                   respect: bool, implementation: str | None, out: Path | None) -> None:
    """Register a VM as a new game type: step contract + FaultDisputeGame implementation + bond.

    Each game of the type is a minimal-proxy clone of that implementation. Prints the addresses
    (and gas) as JSON; the implementation's fields keep their old "blueprint" names. An October-2024 factory (setImplementation(uint32,
    address)) gets the step contract first, then the FaultDisputeGame built on it through
    --implementation.
    """
    try:
        factory, oracle, weth, anchor_state_registry = (
            None if a is None else check_address(a, flag)
            for a, flag in ((factory, "--factory"), (oracle, "--oracle"), (weth, "--weth"),
                            (anchor_state_registry, "--anchor-state-registry")))
        if implementation is not None:
            implementation = check_address(implementation, "--implementation")
            if factory is None:
                raise DeployError("--implementation needs --factory (an older factory to "
                                  "register it with)")
        isa_name = _isa_for(vm_name, game_type)
        if (prestate is None) == (prestate_hash is None):
            raise DeployError("pass exactly one of --prestate (state file or ELF) and "
                              "--absolute-prestate (hash)")
        absolute = (absolute_prestate_of(isa_name, prestate) if prestate is not None
                    else _hex32(prestate_hash, "--absolute-prestate"))
        assert absolute is not None
        params = GameTypeParams(game_type, isa_name, absolute, max_game_depth, split_depth,
                                clock_extension, max_clock_duration, l2_chain_id, init_bond)
        system = SystemParams(_hex32(anchor_root, "--anchor-root") or bytes(32), anchor_block,
                              finality_delay, withdrawal_delay, challenge_period,
                              min_proposal_size)
        chain: Chain
        if rpc_url is None:
            if private_key or factory:
                raise DeployError("--private-key and --factory need --rpc-url")
            from faultproof.chain.embedded import EmbeddedChain

            chain = EmbeddedChain()
        elif private_key:
            chain = keyed_rpc_chain(rpc_url, private_key)
        else:
            from faultproof.chain.rpc import RpcChain

            chain = RpcChain(rpc_url, freeze_time=False)
        if factory is not None:
            require_contract(chain, factory, "--factory", "DisputeGameFactory")
        if oracle is not None:
            require_contract(chain, oracle, "--oracle", "PreimageOracle")
        result = deploy_game_type(
            chain, params, factory=factory, oracle=oracle, weth=weth,
            anchor_state_registry=anchor_state_registry, template_game_type=template_game_type,
            system=system, respect=respect, implementation=implementation,
        )
    except FaultproofError as exc:  # DisputeSetupError, chain and VM errors included
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    text = result.to_json()
    if out is not None:
        from faultproof.fileio import WriteError, write_atomic

        try:
            write_atomic(out, text + "\n")
        except WriteError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
    click.echo(text)
    if result.next_step:
        click.echo(f"not registered yet: {result.next_step}", err=True)
