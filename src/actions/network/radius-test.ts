import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, text } from '../../gateway/fields';
import { radiusTest } from '../../services/network/radius-test';


export const radiusTestAction = defineAction({
  name: 'radius_test',
  section: 'radius',
  summary: "Send an Access-Request for a subscriber (password defaults to the stored one): accept or reject, the reply attributes and the round-trip time",
  input: z.object({ username: text(64), password: z.preprocess(blank, z.string().max(128).optional()) }),
  permission: 'radius.write',
  rateClass: 'standard',
  run: (ctx, input) => radiusTest(ctx, input.username, input.password),
});

export const radiusTestActions = [radiusTestAction];
