export { StripeFake } from './stripe-fake';
export { VivaFake } from './viva-fake';
export { RevolutFake } from './revolut-fake';
export { PaypalFake } from './paypal-fake';
export { waitFor, type RecordedRequest } from './fake-server';
