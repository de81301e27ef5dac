import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../styles.css';
import { PayPage } from './PayPage';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PayPage />
  </StrictMode>,
);
