"""The Atari preprocessing envfleet documents, written a second time on ale-py, numpy and OpenCV.

This is the oracle of the alignment tests: ale-py's own `ALEInterface` (its emulator build, not
ours), numpy for the max-pool and frame stack, `cv2.resize` for resizing. It follows the rules in
`cpp/envfleet/atari/atari_env.h` without random no-ops and with sticky actions off, which are
the parts that draw from envfleet's random stream.
"""

from __future__ import annotations

from collections import deque

import ale_py
import cv2
import numpy as np
from ale_py import roms


class ReferenceAtari:
    """One game with envfleet's preprocessing (noop_max=0, repeat_action_probability=0)."""

    def __init__(
        self,
        rom: str,
        *,
        frame_skip: int = 4,
        stack_num: int = 4,
        gray_scale: bool = True,
        img_height: int = 84,
        img_width: int = 84,
        use_inter_area_resize: bool = True,
        use_fire_reset: bool = True,
        episodic_life: bool = False,
        reward_clip: bool = False,
        full_action_space: bool = False,
        mode: int | None = None,
        difficulty: int | None = None,
    ) -> None:
        self.ale = ale_py.ALEInterface()
        self.ale.setLoggerMode(ale_py.LoggerMode.Error)
        self.ale.setFloat("repeat_action_probability", 0.0)
        self.ale.loadROM(roms.get_rom_path(rom))
        # As ale-py's AtariEnv: mode and difficulty set after loading, taken up by reset_game().
        if mode is not None:
            self.ale.setMode(mode)
        if difficulty is not None:
            self.ale.setDifficulty(difficulty)
        self.actions = (
            self.ale.getLegalActionSet() if full_action_space else self.ale.getMinimalActionSet()
        )
        self.frame_skip = frame_skip
        self.stack_num = stack_num
        self.gray_scale = gray_scale
        self.size = (img_width, img_height)  # cv2 takes (width, height)
        self.interpolation = cv2.INTER_AREA if use_inter_area_resize else cv2.INTER_LINEAR
        self.fire = use_fire_reset and ale_py.Action.FIRE in self.actions
        self.episodic_life = episodic_life
        self.reward_clip = reward_clip
        self.continue_game = False
        self.lives = 0
        self.stack: deque[np.ndarray] = deque(maxlen=stack_num)

    def _screen(self) -> np.ndarray:
        return self.ale.getScreenGrayscale() if self.gray_scale else self.ale.getScreenRGB()

    def _push(self, screen: np.ndarray) -> None:
        frame = cv2.resize(screen, self.size, interpolation=self.interpolation)
        self.stack.append(frame[None] if self.gray_scale else frame.transpose(2, 0, 1))

    def observation(self) -> np.ndarray:
        return np.concatenate(list(self.stack))

    def reset(self) -> np.ndarray:
        # A new game unless continuing after a lost life; then FIRE where the game has it.
        if not self.continue_game:
            self.ale.reset_game()
        self.continue_game = False
        if self.fire:
            self.ale.act(ale_py.Action.FIRE)
            if self.ale.game_over():
                self.ale.reset_game()
        self.lives = self.ale.lives()
        self._push(self._screen())
        for _ in range(self.stack_num - 1):
            self.stack.append(self.stack[-1])
        return self.observation()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, dict[str, object]]:
        """One agent step: (observation, reward, terminated, info)."""
        # Repeat the action; max-pool the last two frames if all of them ran.
        reward = 0
        previous = None
        for i in range(self.frame_skip):
            reward += self.ale.act(self.actions[action])
            game_over = self.ale.game_over()
            if game_over or i == self.frame_skip - 1:
                screen = self._screen()
                if i == self.frame_skip - 1 and previous is not None:
                    screen = np.maximum(screen, previous)
                break
            if i == self.frame_skip - 2:
                previous = self._screen()
        self._push(screen)

        # A life lost (with lives left) ends the episode under episodic_life.
        lives = self.ale.lives()
        life_lost = 0 < lives < self.lives
        self.lives = lives
        self.continue_game = self.episodic_life and life_lost and not game_over
        info = {"lives": lives, "reward": float(reward), "terminated": game_over}
        clipped = float(np.sign(reward)) if self.reward_clip else float(reward)
        return self.observation(), clipped, game_over or self.continue_game, info
